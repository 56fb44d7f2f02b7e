"""`import_qti_package`: bank creation, dry run, re-import, media after commit, stimuli, roles."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from peritus.accounts.errors import RoleNotHeldError
from peritus.accounts.models import User
from peritus.itembank.errors import BankNotFoundError
from peritus.itembank.models import Item, ItemBank, MediaFile, Stimulus
from peritus.itembank.services import import_qti_package
from peritus.itembank.tests.factories import manifest_for, zip_package
from peritus.schemes.models import Scheme

pytestmark = pytest.mark.django_db

STIMULUS = """<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-stimulus xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="case-1" title="Case: a leaked key">
<qti-stimulus-body><p>A developer pushed an access key to a public repository at 09:12.</p></qti-stimulus-body>
</qti-assessment-stimulus>"""
ITEM_WITH_STIMULUS = """<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="case-q1" title="First action" time-dependent="false">
<qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="identifier"><qti-correct-response><qti-value>B</qti-value></qti-correct-response></qti-response-declaration>
<qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float"/>
<qti-assessment-stimulus-ref identifier="case-1" href="case.xml"/>
<qti-item-body><qti-choice-interaction response-identifier="RESPONSE" max-choices="1"><qti-prompt>What first?</qti-prompt>
<qti-simple-choice identifier="A">Email the team</qti-simple-choice><qti-simple-choice identifier="B">Revoke the key</qti-simple-choice></qti-choice-interaction></qti-item-body>
<qti-response-processing template="https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct"/>
</qti-assessment-item>"""


def test_a_dry_run_reports_what_would_be_imported_and_changes_nothing(
    author: User, scheme: Scheme, sample_files: dict[str, bytes]
) -> None:
    report = import_qti_package(
        actor=author, source=zip_package(sample_files), bank_slug="dry", scheme=scheme, dry_run=True
    )

    assert (report.items_imported, report.refused, report.dry_run) == (9, False, True)
    assert len(report.items) == 9
    assert not ItemBank.objects.filter(slug="dry").exists()
    assert Item.objects.count() == 0


def test_importing_into_a_missing_bank_without_a_scheme_is_refused(
    author: User, sample_files: dict[str, bytes]
) -> None:
    with pytest.raises(BankNotFoundError) as error:
        import_qti_package(actor=author, source=zip_package(sample_files), bank_slug="nowhere")

    assert error.value.code == "bank_not_found"


def test_media_files_are_written_to_storage_only_after_the_commit(
    author: User,
    scheme: Scheme,
    sample_files: dict[str, bytes],
    django_capture_on_commit_callbacks: object,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # type: ignore[operator]
        import_qti_package(
            actor=author, source=zip_package(sample_files), bank_slug="media", scheme=scheme
        )
    media = MediaFile.objects.get(path="items/images/sign.png")
    assert not default_storage.exists(media.storage_name)

    for callback in callbacks:
        callback()

    assert default_storage.exists(media.storage_name)
    assert default_storage.open(media.storage_name).read() == sample_files["items/images/sign.png"]


def test_importing_the_same_package_again_adds_nothing_and_says_why(
    author: User, scheme: Scheme, sample_files: dict[str, bytes]
) -> None:
    package = zip_package(sample_files)
    import_qti_package(actor=author, source=package, bank_slug="again", scheme=scheme)

    report = import_qti_package(actor=author, source=package, bank_slug="again")

    assert (report.items_imported, report.items_skipped) == (0, 9)
    assert {e["code"] for e in report.errors} == {"unchanged"}
    assert Item.objects.filter(bank__slug="again").count() == 9


def test_a_changed_item_in_a_later_package_becomes_a_new_version(
    author: User, scheme: Scheme, sample_files: dict[str, bytes]
) -> None:
    import_qti_package(actor=author, source=zip_package(sample_files), bank_slug="v", scheme=scheme)
    changed = {
        **sample_files,
        "items/choice.xml": sample_files["items/choice.xml"].replace(
            b"<value>ChoiceA</value>", b"<value>ChoiceB</value>"
        ),
    }

    report = import_qti_package(actor=author, source=zip_package(changed), bank_slug="v")

    assert report.items_imported == 1
    item = Item.objects.get(bank__slug="v", identifier="choice")
    assert [v.number for v in item.versions.all()] == [1, 2]
    assert item.current_version is not None
    assert item.current_version.content["key"] == ["ChoiceB"]


def test_a_shared_stimulus_is_imported_once_and_linked_to_its_item(
    author: User, scheme: Scheme
) -> None:
    package = zip_package(
        {"case.xml": STIMULUS, "q1.xml": ITEM_WITH_STIMULUS},
        manifest=manifest_for(
            [("case.xml", "imsqti_stimulus_xmlv3p0"), ("q1.xml", "imsqti_item_xmlv3p0")]
        ),
    )

    report = import_qti_package(actor=author, source=package, bank_slug="cases", scheme=scheme)

    assert report.items_imported == 1
    stimulus = Stimulus.objects.get(bank__slug="cases", identifier="case-1")
    assert "public repository" in stimulus.body
    version = Item.objects.get(identifier="case-q1").current_version
    assert version is not None
    assert version.stimulus == stimulus


def test_an_item_reviewer_may_not_import(
    item_reviewer: User, scheme: Scheme, sample_files: dict[str, bytes]
) -> None:
    with pytest.raises(RoleNotHeldError):
        import_qti_package(
            actor=item_reviewer, source=zip_package(sample_files), bank_slug="x", scheme=scheme
        )

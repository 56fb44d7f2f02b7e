"""Hostile or broken packages are refused with a stable code, and nothing is imported."""

from __future__ import annotations

import io
import zipfile

import pytest

from peritus.accounts.models import User
from peritus.audit_trail.models import AuditEvent
from peritus.itembank.events import ItemBankEvent
from peritus.itembank.models import Item, ItemBank, MediaFile
from peritus.itembank.qti.package import Limits
from peritus.itembank.services import import_qti_package
from peritus.itembank.tests.factories import manifest_for, zip_package
from peritus.schemes.models import Scheme

pytestmark = pytest.mark.django_db

GOOD_ITEM = """<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="{id}" title="Good" adaptive="false" timeDependent="false">
<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier"><correctResponse><value>A</value></correctResponse></responseDeclaration>
<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
<itemBody><choiceInteraction responseIdentifier="RESPONSE" shuffle="false" maxChoices="1"><prompt>Pick A</prompt>
<simpleChoice identifier="A">A</simpleChoice><simpleChoice identifier="B">B</simpleChoice></choiceInteraction></itemBody>
<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/>
</assessmentItem>"""

XXE_ITEM = """<?xml version="1.0"?>
<!DOCTYPE assessmentItem [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="xxe" title="&xxe;"/>"""

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="&lol3;"><resources/></manifest>"""


def _raw_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _import(
    actor: User, scheme: Scheme, package: bytes, limits: Limits | None = None
) -> dict[str, object]:
    report = import_qti_package(
        actor=actor, source=package, bank_slug="hostile", scheme=scheme, limits=limits
    )
    assert report.refused
    assert report.items_imported == 0
    assert not ItemBank.objects.filter(slug="hostile").exists()
    assert Item.objects.count() == 0
    assert MediaFile.objects.count() == 0
    return report.as_dict()


def _codes(report: dict[str, object]) -> set[str]:
    return {e["code"] for e in report["errors"]}  # type: ignore[attr-defined]


def test_an_external_entity_in_an_item_is_refused(author: User, scheme: Scheme) -> None:
    report = _import(
        author,
        scheme,
        zip_package({"items/a.xml": GOOD_ITEM.format(id="a"), "items/x.xml": XXE_ITEM}),
    )

    assert _codes(report) == {"xml_forbidden"}
    assert report["errors"] == [
        {"file": "items/x.xml", "code": "xml_forbidden",
         "message": "The XML declares a DTD or entities (DTDForbidden)."}
    ]  # fmt: skip


def test_a_billion_laughs_manifest_is_refused(author: User, scheme: Scheme) -> None:
    report = _import(author, scheme, _raw_zip({"imsmanifest.xml": BILLION_LAUGHS.encode()}))

    assert _codes(report) == {"xml_forbidden"}


def test_a_member_path_leaving_the_package_is_refused(author: User, scheme: Scheme) -> None:
    package = _raw_zip({"imsmanifest.xml": manifest_for([("a.xml", "imsqti_item_xmlv2p1")]).encode(),
                        "a.xml": GOOD_ITEM.format(id="a").encode(), "../../evil.xml": b"<x/>"})  # fmt: skip

    assert _codes(_import(author, scheme, package)) == {"unsafe_path"}


def test_a_manifest_href_leaving_the_package_is_refused(author: User, scheme: Scheme) -> None:
    package = zip_package({"a.xml": GOOD_ITEM.format(id="a")},
                          manifest=manifest_for([("../../etc/passwd", "imsqti_item_xmlv2p1")]))  # fmt: skip

    assert _codes(_import(author, scheme, package)) == {"unsafe_path"}


def test_an_absolute_media_reference_is_refused(author: User, scheme: Scheme) -> None:
    item = (
        GOOD_ITEM.format(id="a")
        .replace("<prompt>Pick A</prompt>", "")
        .replace("<itemBody>", '<itemBody><p><img src="/etc/passwd" alt="x"/></p>')
    )

    assert _codes(_import(author, scheme, zip_package({"a.xml": item}))) == {"unsafe_path"}


def test_a_zip_bomb_is_refused_before_it_is_expanded(author: User, scheme: Scheme) -> None:
    package = zip_package(
        {"a.xml": GOOD_ITEM.format(id="a"), "bomb.bin": b"\0" * (8 * 1024 * 1024)}
    )

    assert _codes(_import(author, scheme, package)) == {"suspicious_compression"}


def test_a_package_larger_than_the_cap_is_refused(author: User, scheme: Scheme) -> None:
    package = zip_package({"a.xml": GOOD_ITEM.format(id="a"), "big.bin": bytes(range(256)) * 4096})

    report = _import(author, scheme, package, limits=Limits(max_total_bytes=512 * 1024))

    assert _codes(report) == {"too_large"}


def test_too_many_files_are_refused(author: User, scheme: Scheme) -> None:
    files = {f"items/i{n}.xml": GOOD_ITEM.format(id=f"i{n}") for n in range(12)}

    report = _import(author, scheme, zip_package(files), limits=Limits(max_files=10))

    assert _codes(report) == {"too_many_files"}


def test_a_file_that_is_not_a_zip_is_refused(author: User, scheme: Scheme) -> None:
    assert _codes(_import(author, scheme, b"%PDF-1.7 not a zip")) == {"not_a_zip"}


@pytest.mark.parametrize(
    ("manifest", "code"),
    [
        (None, "manifest_missing"),
        ("<manifest><resources>", "xml_malformed"),
        (
            '<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="M"/>',
            "manifest_invalid",
        ),
        ("<package/>", "manifest_invalid"),
    ],
)
def test_a_broken_manifest_is_refused(
    author: User, scheme: Scheme, manifest: str | None, code: str
) -> None:
    members = {"a.xml": GOOD_ITEM.format(id="a").encode()}
    if manifest is not None:
        members["imsmanifest.xml"] = manifest.encode()

    assert _codes(_import(author, scheme, _raw_zip(members))) == {code}


def test_a_manifest_naming_a_missing_file_is_refused(author: User, scheme: Scheme) -> None:
    package = zip_package({"a.xml": GOOD_ITEM.format(id="a")},
                          manifest=manifest_for([("a.xml", "imsqti_item_xmlv2p1"), ("gone.xml", "imsqti_item_xmlv2p1")]))  # fmt: skip

    assert _codes(_import(author, scheme, package)) == {"file_missing"}


def test_one_bad_item_among_good_ones_refuses_the_whole_package(
    author: User, scheme: Scheme, sample_files: dict[str, bytes]
) -> None:
    bad = GOOD_ITEM.format(id="bad").replace("<value>A</value>", "<value>Z</value>")

    report = _import(author, scheme, zip_package({**sample_files, "items/bad.xml": bad}))

    assert report["errors"] == [
        {"file": "items/bad.xml", "code": "invalid_item",
         "message": "The key names unknown options: ['Z']. (key_not_an_option)"}
    ]  # fmt: skip
    assert report["items"] == []


def test_deeply_nested_xml_is_refused(author: User, scheme: Scheme) -> None:
    deep = GOOD_ITEM.format(id="a").replace(
        "<prompt>Pick A</prompt>", "<prompt>" + "<span>" * 80 + "x" + "</span>" * 80 + "</prompt>"
    )

    assert _codes(_import(author, scheme, zip_package({"a.xml": deep}))) == {"xml_too_deep"}


def test_a_package_that_takes_too_long_is_abandoned(author: User, scheme: Scheme) -> None:
    report = _import(
        author, scheme, zip_package({"a.xml": GOOD_ITEM.format(id="a")}), limits=Limits(seconds=0)
    )

    assert _codes(report) == {"timeout"}


def test_a_refusal_is_audited_with_its_codes_and_no_content(author: User, scheme: Scheme) -> None:
    _import(author, scheme, zip_package({"items/x.xml": XXE_ITEM}))

    event = AuditEvent.objects.get(event_type=ItemBankEvent.PACKAGE_REFUSED)
    assert event.actor_id == author.pk
    assert "xml_forbidden" in event.payload
    assert "passwd" not in event.payload


def test_an_unsupported_interaction_is_skipped_and_reported_while_the_rest_is_imported(
    author: User, scheme: Scheme
) -> None:
    hotspot = GOOD_ITEM.format(id="hot").replace("choiceInteraction", "hotspotInteraction")

    report = import_qti_package(
        actor=author, source=zip_package({"a.xml": GOOD_ITEM.format(id="a"), "hot.xml": hotspot}),
        bank_slug="mixed", scheme=scheme,
    )  # fmt: skip

    assert (report.refused, report.items_imported, report.items_skipped) == (False, 1, 1)
    assert report.errors == [
        {"file": "hot.xml", "code": "unsupported_interaction",
         "message": "The interaction hotspotInteraction cannot be represented."}
    ]  # fmt: skip

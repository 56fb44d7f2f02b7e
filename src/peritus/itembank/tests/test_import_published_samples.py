"""Real QTI items published by others (1EdTech/IMS samples) are read as their authors meant."""

from __future__ import annotations

import pytest

from peritus.accounts.models import User
from peritus.audit_trail.models import AuditEvent
from peritus.itembank.events import ItemBankEvent
from peritus.itembank.models import Item, ItemBank, ItemStatus
from peritus.itembank.qti.content import InteractionType
from peritus.itembank.qti.importer import plan_import
from peritus.itembank.services import import_qti_package
from peritus.itembank.tests.factories import zip_package

pytestmark = pytest.mark.django_db

EXPECTED = {
    # identifier: (our interaction, QTI interaction, key, max score)
    "choice": (InteractionType.SINGLE_CHOICE, "choiceInteraction", ["ChoiceA"], 1.0),
    "choiceMultiple": (InteractionType.MULTIPLE_RESPONSE, "choiceInteraction", ["H", "O"], 2.0),
    "textEntry": (InteractionType.TEXT_ENTRY, "textEntryInteraction", ["York"], 1.0),
    "inlineChoice": (InteractionType.INLINE_CHOICE, "inlineChoiceInteraction", ["Y"], 1.0),
    "firstexample": (InteractionType.SINGLE_CHOICE, "choiceInteraction", ["A"], 1.0),
    "QTI3-inline-choice": (InteractionType.INLINE_CHOICE, "inlineChoiceInteraction", ["Y"], 1.0),
    "QTI3-order": (
        InteractionType.ORDER,
        "orderInteraction",
        ["DriverC", "DriverA", "DriverB"],
        1.0,
    ),
    "QTI3-match": (InteractionType.MATCH, "matchInteraction", ["C R", "D M", "L M", "P T"], 3.0),
    "essay": (InteractionType.EXTENDED_RESPONSE, "extendedTextInteraction", [], 1.0),
}


def test_every_published_sample_is_read_with_its_interaction_key_and_score(
    sample_files: dict[str, bytes],
) -> None:
    plan = plan_import(zip_package(sample_files))

    assert plan.problems == []
    found = {p.parsed.identifier: p.parsed for p in plan.items}
    assert set(found) == set(EXPECTED)
    for identifier, (kind, qti_name, key, score) in EXPECTED.items():
        content = found[identifier].content
        assert (content.interaction, content.qti_interaction, list(content.key), content.max_score) == (
            kind, qti_name, key, score,
        ), identifier  # fmt: skip


def test_partial_credit_of_the_water_sample_keeps_its_map_and_bounds(
    sample_files: dict[str, bytes],
) -> None:
    plan = plan_import(zip_package(sample_files))

    water = next(p.parsed.content for p in plan.items if p.parsed.identifier == "choiceMultiple")
    assert water.scoring.mapping == (("H", 1.0), ("O", 1.0), ("Cl", -1.0))
    assert (water.scoring.default_value, water.scoring.lower_bound, water.scoring.upper_bound) == (
        -2.0, 0.0, 2.0,
    )  # fmt: skip


def test_the_luggage_sample_brings_its_picture_and_the_stem_points_to_it(
    sample_files: dict[str, bytes],
) -> None:
    plan = plan_import(zip_package(sample_files))

    luggage = next(p.parsed for p in plan.items if p.parsed.identifier == "choice")
    assert luggage.media == ("items/images/sign.png",)
    assert (
        '<img src="items/images/sign.png" alt="NEVER LEAVE LUGGAGE UNATTENDED"/>'
        in luggage.content.stem
    )
    assert "items/images/sign.png" in plan.media


def test_importing_the_samples_creates_the_bank_and_draft_items_and_reports_them(
    sample_files: dict[str, bytes], author: User, scheme: object
) -> None:
    report = import_qti_package(
        actor=author, source=zip_package(sample_files), bank_slug="samples", scheme=scheme
    )

    assert report.as_dict()["items_imported"] == 9
    assert report.errors == []
    bank = ItemBank.objects.get(slug="samples")
    assert Item.objects.filter(bank=bank, status=ItemStatus.DRAFT).count() == 9
    entry = next(i for i in report.items if i["identifier"] == "choiceMultiple")
    assert entry == {
        "identifier": "choiceMultiple",
        "title": "Composition of Water",
        "interaction_types": ["choiceInteraction"],
        "response_identifiers": ["RESPONSE"],
        "correct_responses": {"RESPONSE": ["H", "O"]},
        "max_score": 2.0,
    }
    event = AuditEvent.objects.get(event_type=ItemBankEvent.PACKAGE_IMPORTED)
    assert "Hydrogen" not in event.payload
    assert "Luggage" not in event.payload

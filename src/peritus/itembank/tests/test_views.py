"""The item bank pages: who sees what (R15, 7.3/7.4), preview, import with dry run, audited export."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff, office_client
from peritus.audit_trail.models import AuditEvent
from peritus.itembank.events import ItemBankEvent
from peritus.itembank.models import Item, ItemBank, ItemStatus
from peritus.itembank.qti.content import GAP, InteractionType, ItemContent, Option
from peritus.itembank.tests.factories import make_item, zip_package

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(bank: ItemBank, author: User) -> Item:
    return make_item(bank, author, identifier="KEYS-001")


def _url(name: str, bank: ItemBank, *args: str) -> str:
    return reverse(f"itembank:{name}", args=[bank.slug, *args])


@pytest.mark.parametrize(
    ("roles", "status"),
    [
        ((RoleCode.ITEM_AUTHOR,), 200),
        ((RoleCode.ITEM_REVIEWER,), 200),
        ((RoleCode.PSYCHOMETRICIAN,), 200),
        ((RoleCode.INVIGILATOR,), 404),
        ((RoleCode.ITEM_AUTHOR, RoleCode.INVIGILATOR), 404),
        ((RoleCode.EXAMINER,), 404),
        ((RoleCode.ADMINISTRATOR,), 404),
        ((RoleCode.DECISION_MAKER,), 404),
    ],
)
def test_only_item_roles_of_the_scheme_open_an_item(
    client: Client, bank: ItemBank, item: Item, roles: tuple[RoleCode, ...], status: int
) -> None:
    user = make_staff(*roles, scheme=bank.scheme)

    response = office_client(client, user).get(_url("item-detail", bank, item.identifier))

    assert response.status_code == status
    if status == 404:
        assert b"Short-lived" not in response.content


def test_an_item_author_of_another_scheme_gets_not_found(
    client: Client, bank: ItemBank, item: Item
) -> None:
    from peritus.schemes.tests.factories import make_scheme

    stranger = make_staff(RoleCode.ITEM_AUTHOR, scheme=make_scheme())

    assert office_client(client, stranger).get(_url("bank-detail", bank)).status_code == 404


def test_the_bank_page_finds_items_by_text_and_status(
    client: Client, bank: ItemBank, author: User, item: Item
) -> None:
    make_item(bank, author, identifier="NET-002", title="Segmentation of networks")

    response = office_client(client, author).get(
        _url("bank-detail", bank), {"q": "segmentation", "status": ItemStatus.DRAFT}
    )

    assert b"NET-002" in response.content
    assert b"KEYS-001" not in response.content


def test_an_author_writes_an_item_from_the_form(
    client: Client, bank: ItemBank, author: User
) -> None:
    response = office_client(client, author).post(
        _url("item-create", bank),
        {"identifier": "MFA-010", "title": "Phishing-resistant factors", "interaction": "single_choice",
         "stem": "Which factor resists phishing best?", "options": "A | SMS code | Can be relayed\nB | FIDO2 key\nC | Email link",
         "key": "B", "points": "1"},
    )  # fmt: skip

    assert response.status_code == 302
    created = Item.objects.get(identifier="MFA-010")
    assert created.current_version is not None
    assert created.current_version.content["options"][0]["rationale"] == "Can be relayed"


def test_the_preview_shows_a_labelled_control_for_every_option(
    client: Client, bank: ItemBank, author: User, item: Item
) -> None:
    response = office_client(client, author).get(_url("item-preview", bank, item.identifier))

    html = response.content.decode()
    assert (
        '<input type="radio" name="response" id="response-B" value="B"><label for="response-B">Short-lived credentials</label>'
        in html
    )
    assert "Passwords do not protect keys" not in html, "rationales are never shown to candidates"


def test_an_inline_gap_becomes_a_labelled_select(
    client: Client, bank: ItemBank, author: User
) -> None:
    content = ItemContent(
        interaction=InteractionType.INLINE_CHOICE,
        stem=f"<p>Keys should be {GAP} days old at most.</p>",
        options=(Option("A", "90"), Option("B", "900")),
        key=("A",),
    )
    inline = make_item(bank, author, identifier="ROT-1", content=content)

    html = (
        office_client(client, author)
        .get(_url("item-preview", bank, inline.identifier))
        .content.decode()
    )

    assert '<label class="visually-hidden" for="response-gap">' in html
    assert '<select id="response-gap" name="response">' in html


def test_import_through_the_page_checks_first_then_imports(
    client: Client, bank: ItemBank, author: User, sample_files: dict[str, bytes]
) -> None:
    browser = office_client(client, author)
    package = io.BytesIO(zip_package(sample_files))
    package.name = "samples.zip"

    checked = browser.post(_url("qti-import", bank), {"package": package, "dry_run": "on"})

    assert b"Dry run" in checked.content
    assert Item.objects.filter(bank=bank).count() == 0
    token = checked.context["token"]
    imported = browser.post(_url("qti-import", bank), {"token": token})
    assert imported.context["report"].items_imported == 9
    assert Item.objects.filter(bank=bank).count() == 9


def test_export_downloads_a_package_and_is_audited(
    client: Client, bank: ItemBank, item: Item, psychometrician: User
) -> None:
    response = office_client(client, psychometrician).post(
        _url("qti-export", bank), {"version": "3.0"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "items/KEYS-001.xml" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    event = AuditEvent.objects.get(event_type=ItemBankEvent.BANK_EXPORTED)
    assert event.actor_id == psychometrician.pk


def test_an_item_author_may_not_export(
    client: Client, bank: ItemBank, item: Item, author: User
) -> None:
    assert (
        office_client(client, author).post(_url("qti-export", bank), {"version": "3.0"}).status_code
        == 403
    )


def test_the_diff_puts_two_versions_side_by_side(
    client: Client, bank: ItemBank, author: User, item: Item
) -> None:
    from peritus.itembank.services import revise_item
    from peritus.itembank.tests.factories import single_choice

    revise_item(
        actor=author, item=item, content=single_choice(key="A"), title="Leaked keys, reworded"
    )

    html = (
        office_client(client, author).get(_url("item-diff", bank, item.identifier)).content.decode()
    )

    assert "Leaked keys, reworded" in html
    assert 'class="diff-replace"' in html


def test_the_menu_shows_the_item_bank_to_item_staff_only(
    client: Client, bank: ItemBank, author: User
) -> None:
    invigilator = make_staff(RoleCode.INVIGILATOR, scheme=bank.scheme)

    assert b"Item bank" in office_client(client, author).get("/office/").content
    assert b"Item bank" not in office_client(Client(), invigilator).get("/office/").content


def test_a_psychometrician_drafts_and_approves_a_blueprint_from_the_page(
    client: Client, bank: ItemBank, psychometrician: User
) -> None:
    from peritus.itembank.models import Blueprint, BlueprintStatus
    from peritus.schemes.models import AssessmentComponentKind
    from peritus.schemes.tests.factories import make_component, make_domain, make_version

    version = make_version(scheme=bank.scheme)
    d1, d2 = make_domain(version, code="D1"), make_domain(version, code="D2")
    component = make_component(version, kind=AssessmentComponentKind.EXAM)

    response = office_client(client, psychometrician).post(
        _url("blueprint-create", bank),
        {"name": "Exam 2026", "component": component.pk, "time_limit_minutes": 60, "pass_mark": "14",
         f"domain_{d1.pk}": 12, f"domain_{d2.pk}": 8, "approve": "1"},
    )  # fmt: skip

    assert response.status_code == 302
    blueprint = Blueprint.objects.get(name="Exam 2026")
    assert (blueprint.total_items, blueprint.status) == (20, BlueprintStatus.APPROVED)
    assert sorted(blueprint.rows.values_list("item_count", flat=True)) == [8, 12]

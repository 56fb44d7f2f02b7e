"""Blueprints, assembly into forms, review by a second person, freezing and paper forms."""

from __future__ import annotations

from decimal import Decimal

import pytest

from peritus.accounts.models import User
from peritus.audit_trail.models import AuditEvent
from peritus.itembank.errors import ItemBankError, ItemImpartialityError
from peritus.itembank.events import ItemBankEvent
from peritus.itembank.models import Blueprint, ExamForm, FormStatus, Item, ItemBank, ItemVersion
from peritus.itembank.services import (
    RowInput,
    approve_blueprint,
    assemble_forms,
    create_blueprint,
    print_form,
    review_form,
    set_enemies,
    submit_form,
)
from peritus.itembank.tests.factories import make_operational_item
from peritus.schemes.models import AssessmentComponentKind, CompetenceDomain
from peritus.schemes.tests.factories import make_component, make_domain, make_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def domains(bank: ItemBank) -> list[CompetenceDomain]:
    version = make_version(scheme=bank.scheme)
    return [
        make_domain(version, code="D1", title="Identity"),
        make_domain(version, code="D2", title="Data"),
    ]


@pytest.fixture
def blueprint(bank: ItemBank, domains: list[CompetenceDomain], psychometrician: User) -> Blueprint:
    component = make_component(
        domains[0].scheme_version, kind=AssessmentComponentKind.EXAM, name="Online exam"
    )
    blueprint = create_blueprint(
        actor=psychometrician, bank=bank, component=component, name="Online exam 2026",
        total_items=3, time_limit_minutes=30, pass_mark=Decimal(2),
        rows=[RowInput(domains[0], 2), RowInput(domains[1], 1)],
    )  # fmt: skip
    return approve_blueprint(actor=psychometrician, blueprint=blueprint)


@pytest.fixture
def pool(
    bank: ItemBank,
    domains: list[CompetenceDomain],
    author: User,
    item_reviewer: User,
    psychometrician: User,
) -> list[Item]:
    return [
        make_operational_item(bank, author=author, reviewer=item_reviewer, psychometrician=psychometrician,
                              domain=domains[n % 2], identifier=f"Q{n}")
        for n in range(8)
    ]  # fmt: skip


def test_an_assembled_form_follows_the_blueprint(
    blueprint: Blueprint, pool: list[Item], psychometrician: User
) -> None:
    [form] = assemble_forms(actor=psychometrician, blueprint=blueprint, code_prefix="CSP-2026-A")

    entries = list(form.entries.select_related("item_version__item__competence_domain"))
    assert [e.position for e in entries] == [1, 2, 3]
    assert sorted(str(e.item_version.item.competence_domain) for e in entries) == [
        "D1 — Identity", "D1 — Identity", "D2 — Data",
    ]  # fmt: skip
    assert form.status == FormStatus.DRAFT


def test_enemies_never_share_a_form(
    blueprint: Blueprint,
    pool: list[Item],
    psychometrician: User,
    author: User,
    domains: list[CompetenceDomain],
) -> None:
    d1_items = [item for item in pool if item.competence_domain == domains[0]]
    set_enemies(actor=author, item=d1_items[0], enemies=d1_items[1:])

    [form] = assemble_forms(actor=psychometrician, blueprint=blueprint, code_prefix="ENEMY")

    chosen = {e.item_version.item_id for e in form.entries.select_related("item_version")}
    assert d1_items[0].pk not in chosen


def test_an_impossible_blueprint_is_refused_with_its_reasons(
    blueprint: Blueprint, psychometrician: User
) -> None:
    with pytest.raises(ItemBankError) as error:
        assemble_forms(actor=psychometrician, blueprint=blueprint, code_prefix="NONE")

    assert error.value.code == "infeasible"
    assert "D1: 2 items per form" in error.value.details["reasons"][0]


def test_two_parallel_forms_share_no_item(
    blueprint: Blueprint, pool: list[Item], psychometrician: User
) -> None:
    forms = assemble_forms(actor=psychometrician, blueprint=blueprint, code_prefix="PAR", count=2)

    assert [f.code for f in forms] == ["PAR-A", "PAR-B"]
    a, b = ({e.item_version_id for e in f.entries.all()} for f in forms)
    assert not a & b


def test_whoever_assembled_a_form_cannot_approve_it(
    blueprint: Blueprint, pool: list[Item], psychometrician: User
) -> None:
    [form] = assemble_forms(actor=psychometrician, blueprint=blueprint, code_prefix="SELF")
    submit_form(actor=psychometrician, form=form)

    with pytest.raises(ItemImpartialityError) as error:
        review_form(actor=psychometrician, form=form, approve=True)

    assert error.value.code == "approver_assembled_form"


def test_an_approved_form_is_frozen_and_its_versions_are_marked_used(
    blueprint: Blueprint, pool: list[Item], psychometrician: User, item_reviewer: User
) -> None:
    [form] = assemble_forms(actor=psychometrician, blueprint=blueprint, code_prefix="FROZEN")
    submit_form(actor=psychometrician, form=form)

    review_form(actor=item_reviewer, form=form, approve=True)

    form = ExamForm.objects.get(pk=form.pk)
    assert (form.status, form.approved_by) == (FormStatus.APPROVED, item_reviewer)
    version_ids = [e.item_version_id for e in form.entries.all()]
    assert ItemVersion.objects.filter(pk__in=version_ids, used_at__isnull=True).count() == 0
    with pytest.raises(ItemBankError):
        submit_form(actor=psychometrician, form=form)


def test_paper_booklet_and_key_carry_the_form_code_and_printing_is_audited(
    blueprint: Blueprint, pool: list[Item], psychometrician: User, item_reviewer: User
) -> None:
    [form] = assemble_forms(actor=psychometrician, blueprint=blueprint, code_prefix="PAPER-7")
    submit_form(actor=psychometrician, form=form)
    review_form(actor=item_reviewer, form=form, approve=True)

    booklet = print_form(actor=psychometrician, form=form, kind="booklet")
    key = print_form(actor=psychometrician, form=form, kind="key")

    assert booklet.startswith(b"%PDF")
    assert key.startswith(b"%PDF")
    assert b"PAPER-7" in booklet
    assert b"PAPER-7" in key
    assert AuditEvent.objects.filter(event_type=ItemBankEvent.FORM_PRINTED).count() == 2


def test_a_draft_form_is_not_printed(
    blueprint: Blueprint, pool: list[Item], psychometrician: User
) -> None:
    [form] = assemble_forms(actor=psychometrician, blueprint=blueprint, code_prefix="DRAFT")

    with pytest.raises(ItemBankError) as error:
        print_form(actor=psychometrician, form=form, kind="booklet")

    assert error.value.code == "not_approved"

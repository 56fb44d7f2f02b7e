"""The statistics lists do not grow their queries with their rows (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff, office_client
from peritus.itembank.services import assemble_forms, review_form, submit_form
from peritus.itembank.statistics.services import open_statistics_review, run_form_analysis
from peritus.itembank.tests.factories import make_operational_item
from peritus.itembank.tests.statistics_factories import (
    FormSetup,
    make_approved_form,
    record_simulated,
)

pytestmark = pytest.mark.django_db


def _queries(client: Client, user: User, url: str) -> int:
    browser = office_client(client, user)
    browser.get(url)  # warm caches (sessions, roles)
    with CaptureQueriesContext(connection) as captured:
        assert browser.get(url).status_code == 200
    return len(captured)


def _another_form(setup: FormSetup, code: str) -> None:
    domain = setup.items[0].competence_domain
    for n in range(len(setup.items)):
        make_operational_item(
            setup.bank, author=setup.author, reviewer=setup.reviewer,
            psychometrician=setup.psychometrician, domain=domain, identifier=f"{code}-{n}",
        )  # fmt: skip
    [form] = assemble_forms(
        actor=setup.psychometrician, blueprint=setup.form.blueprint, code_prefix=code
    )
    submit_form(actor=setup.psychometrician, form=form)
    review_form(actor=setup.reviewer, form=form, approve=True)
    record_simulated(FormSetup(**{**setup.__dict__, "form": form}), candidates=10, prefix=code)
    run_form_analysis(form=form, actor=setup.psychometrician, model="none")
    open_statistics_review(actor=setup.psychometrician, form=form)


def test_the_bank_overview_and_the_dashboard_use_a_fixed_number_of_queries(
    client: Client,
) -> None:
    setup = make_approved_form(n_items=3)
    record_simulated(setup, candidates=10)
    run_form_analysis(form=setup.form, actor=setup.psychometrician, model="none")
    open_statistics_review(actor=setup.psychometrician, form=setup.form)
    assessor = make_staff(RoleCode.ASSESSOR, scheme=setup.scheme)
    bank_url = reverse("itembank:statistics-bank", args=[setup.bank.slug])
    dashboard = reverse("itembank:statistics-dashboard")

    one = (_queries(client, setup.psychometrician, bank_url), _queries(client, assessor, dashboard))
    _another_form(setup, "CSP-X")
    _another_form(setup, "CSP-Y")
    three = (
        _queries(client, setup.psychometrician, bank_url),
        _queries(client, assessor, dashboard),
    )

    assert three == one

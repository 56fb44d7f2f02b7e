from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import office_client
from peritus.audit_trail.models import AuditEvent
from peritus.recertification.events import RecertificationEvent
from peritus.recertification.models import RecertificationPolicy
from peritus.recertification.schedule import rules_for
from peritus.recertification.tests.factories import at, staff
from peritus.schemes.tests.factories import make_published_version

pytestmark = pytest.mark.django_db


def test_the_scheme_manager_sets_cpd_categories_and_the_audit_sample(client: Client) -> None:
    version = make_published_version()
    with at(dt.date(2026, 12, 1)):
        manager = staff(RoleCode.SCHEME_MANAGER)
        listing = office_client(client, manager).get("/office/recertification/policies/")
        form = client.get(f"/office/recertification/policies/{version.pk}/")
        saved = client.post(
            f"/office/recertification/policies/{version.pk}/",
            {
                "categories": "technical | Technical | 15\nethics | Ethics | 3",
                "declaration_text": "I still practise.",
                "work_log_required": "on",
                "spot_check_percent": "25",
                "grace_period_days": "45",
                "surveillance_notice_days": "30",
            },
        )

    assert listing.status_code == 200
    assert version.scheme.name in listing.content.decode()
    assert form.status_code == 200
    assert saved.status_code == 302
    rules = rules_for(version)
    assert [(c.code, c.min_hours) for c in rules.categories] == [
        ("technical", Decimal(15)),
        ("ethics", Decimal(3)),
    ]
    assert rules.spot_check_percent == Decimal(25)
    assert rules.grace_period_days == 45
    assert AuditEvent.objects.filter(event_type=RecertificationEvent.POLICY_SET).count() == 1


def test_a_malformed_category_line_is_refused(client: Client) -> None:
    version = make_published_version()
    with at(dt.date(2026, 12, 1)):
        manager = staff(RoleCode.SCHEME_MANAGER)
        response = office_client(client, manager).post(
            f"/office/recertification/policies/{version.pk}/",
            {
                "categories": "technical without hours",
                "spot_check_percent": "10",
                "grace_period_days": "0",
                "surveillance_notice_days": "30",
            },
        )
    assert response.status_code == 422
    assert "Line 1" in response.content.decode()
    assert not RecertificationPolicy.objects.exists()


def test_only_the_scheme_manager_sets_the_rules(client: Client) -> None:
    version = make_published_version()
    with at(dt.date(2026, 12, 1)):
        reviewer = staff(RoleCode.ELIGIBILITY_REVIEWER)
        response = office_client(client, reviewer).get(
            f"/office/recertification/policies/{version.pk}/"
        )
        listing = client.get("/office/recertification/policies/")
    assert response.status_code == 404
    assert listing.status_code == 403

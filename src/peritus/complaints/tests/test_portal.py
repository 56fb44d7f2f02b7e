"""A signed-in person follows their own complaints in the portal, and nobody else's."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from peritus.accounts.models import User
from peritus.complaints.services import report_progress
from peritus.complaints.tests.factories import accepted, being_handled, submitted

pytestmark = pytest.mark.django_db


def test_the_complainant_sees_their_complaint_and_what_was_written_to_them(
    client: Client, candidate: User, outsider: User, quality_manager: User, handler: User
) -> None:
    mine = submitted(user=candidate, email=candidate.email)
    theirs = submitted(user=outsider, email=outsider.email)
    report_progress(
        actor=handler,
        complaint=being_handled(quality_manager, handler, accepted(quality_manager, mine)),
        message="We asked the exam centre.",
    )
    client.force_login(candidate)

    body = client.get(reverse("complaints:portal-complaint-list")).content.decode()

    assert mine.reference in body
    assert "We asked the exam centre." in body
    assert theirs.reference not in body


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(reverse("complaints:portal-complaint-list"))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]

"""The public complaint form: anyone complains without an account; spam protection without
JavaScript (honeypot, minimum fill time from a signed timestamp, per-address rate limit);
clear errors and nothing stored on refusal; exactly one complaint when it is accepted."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from peritus.accounts.models import User
from peritus.complaints.forms import new_form_token
from peritus.complaints.models import Complaint, ComplaintChannel, ComplaintStatus
from peritus.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

URL = "/complaints/"


def _answers(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Jana Meyer",
        "email": "jana@complainant.example",
        "about": "body",
        "subject_description": "Exam in Lyon",
        "description": "My results letter came three weeks late and nobody answered my emails.",
        "desired_outcome": "An explanation.",
        "website": "",
        "form_token": new_form_token(timezone.now().timestamp() - 30),
        **overrides,
    }


def _client() -> Client:
    """A client with an address of its own, so the rate limit of one test leaves others alone."""
    return Client(REMOTE_ADDR=f"test-{uuid.uuid4()}")


def test_the_form_opens_to_anyone_with_a_fresh_signed_timestamp() -> None:
    response = _client().get(URL)

    assert response.status_code == 200
    assert reverse("complaints:public-form") == URL
    body = response.content.decode()
    assert 'name="form_token"' in body
    assert "Leave this field empty" in body
    assert "<script" not in body.split("<main", 1)[-1].split("</main>", 1)[0]


def test_a_person_who_took_their_time_files_exactly_one_complaint_and_is_acknowledged() -> None:
    client = _client()
    shown = client.get(URL).content.decode()
    token = shown.split('name="form_token" value="', 1)[1].split('"', 1)[0]

    with time_machine.travel(timezone.now() + dt.timedelta(seconds=40)):
        response = client.post(URL, _answers(form_token=token))

    assert response.status_code == 302
    assert response["Location"] == reverse("complaints:public-received")
    complaint = Complaint.objects.get()
    assert complaint.channel == ComplaintChannel.PUBLIC_FORM
    assert complaint.status == ComplaintStatus.RECEIVED
    assert complaint.complainant_user is None
    assert complaint.acknowledged_at is not None
    notice = OutboxMessage.objects.get(template="complaints_acknowledgement")
    assert notice.recipient_email == "jana@complainant.example"
    assert complaint.reference in notice.body
    received = client.get(response["Location"])
    assert complaint.reference in received.content.decode()


def test_a_filled_honeypot_is_refused_with_a_clear_message_and_nothing_is_stored() -> None:
    response = _client().post(URL, _answers(website="http://cheap-pills.example"))

    assert response.status_code == 422
    assert "a field meant to stay empty was filled in" in response.content.decode()
    assert not Complaint.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_form_sent_back_at_once_is_refused_and_nothing_is_stored() -> None:
    response = _client().post(URL, _answers(form_token=new_form_token()))

    assert response.status_code == 422
    assert "faster than a person can fill it in" in response.content.decode()
    assert not Complaint.objects.exists()


# The ids are fixed: a signed token differs between test processes (xdist compares the ids).
@pytest.mark.parametrize(
    "token", ["", "forged", new_form_token(0.0)], ids=["missing", "forged", "from-1970"]
)
def test_a_missing_altered_or_stale_timestamp_is_refused(token: str) -> None:
    response = _client().post(URL, _answers(form_token=token))

    assert response.status_code == 422
    assert "This form has expired or was altered" in response.content.decode()
    assert not Complaint.objects.exists()


def test_a_form_left_open_for_two_days_has_expired() -> None:
    token = new_form_token()

    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        response = _client().post(URL, _answers(form_token=token))

    assert response.status_code == 422
    assert "This form has expired or was altered" in response.content.decode()
    assert not Complaint.objects.exists()


def test_an_altered_timestamp_is_refused() -> None:
    token = new_form_token(timezone.now().timestamp() - 30)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")

    response = _client().post(URL, _answers(form_token=forged))

    assert response.status_code == 422
    assert not Complaint.objects.exists()


@override_settings(PERITUS_COMPLAINTS_FORM_RATE="2/h")
def test_too_many_sends_from_one_address_are_refused_and_nothing_more_is_stored() -> None:
    client = _client()

    first = client.post(URL, _answers())
    second = client.post(URL, _answers(email="other@complainant.example"))
    third = client.post(URL, _answers(email="third@complainant.example"))

    assert (first.status_code, second.status_code, third.status_code) == (302, 302, 429)
    assert "Too many complaints were sent from your connection" in third.content.decode()
    assert Complaint.objects.count() == 2
    assert _client().post(URL, _answers(email="x@complainant.example")).status_code == 302


def test_missing_answers_are_shown_beside_the_fields_and_nothing_is_stored() -> None:
    response = _client().post(URL, _answers(email="", description=""))

    assert response.status_code == 422
    body = response.content.decode()
    assert "Your email address" in body
    assert "This field is required." in body
    assert not Complaint.objects.exists()


def test_a_signed_in_candidate_complains_through_the_portal_channel(candidate: User) -> None:
    client = _client()
    client.force_login(candidate)

    response = client.post(URL, _answers(email=candidate.email))

    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.channel == ComplaintChannel.PORTAL
    assert complaint.complainant_user == candidate
    assert complaint.complainant_person == candidate.person


def test_the_same_form_sent_twice_is_one_complaint_with_one_acknowledgement() -> None:
    client = _client()
    answers = _answers()

    first = client.post(URL, answers)
    reference = client.get(first["Location"]).content.decode()
    second = client.post(URL, answers)

    assert (first.status_code, second.status_code) == (302, 302)
    complaint = Complaint.objects.get()
    assert complaint.reference in reference
    assert complaint.reference in client.get(second["Location"]).content.decode()
    assert OutboxMessage.objects.filter(template="complaints_acknowledgement").count() == 1

"""Receiving an appeal (9.8, R23): from the portal or recorded by staff from an email or letter,
linked to the record appealed, with a reference and an acknowledgement at once."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.accounts.models import Person, User
from peritus.accounts.selectors import get_person_of_user
from peritus.appeals import deadlines
from peritus.appeals.errors import AppealsError, AppealsInputError, AppealsNotPermittedError
from peritus.appeals.events import AppealsEvent
from peritus.appeals.models import Appeal, AppealChannel
from peritus.appeals.services.common import lock, notify_appellant, require_appeals_staff
from peritus.appeals.subjects import AppealableRecord, is_already_appealed, resolve_record
from peritus.audit_trail.services import record_event

MAX_GROUNDS = 10_000


def _open_appeal(
    *,
    actor: User,
    person: Person,
    subject_kind: str,
    subject_key: str,
    grounds: str,
    remedy_sought: str,
    channel: str,
    received_at: dt.datetime,
) -> Appeal:
    grounds = grounds.strip()
    if not grounds:
        raise AppealsInputError(
            "grounds_required", _("Say why you appeal: what you think is wrong, and why.")
        )
    if len(grounds) > MAX_GROUNDS or len(remedy_sought) > MAX_GROUNDS:
        raise AppealsInputError("too_long", _("Keep the grounds under 10,000 characters."))
    Person.objects.select_for_update().filter(pk=person.pk).first()  # one intake at a time
    record: AppealableRecord = resolve_record(person, subject_kind, subject_key)
    if is_already_appealed(record):
        raise AppealsError(
            "already_appealed",
            _("This decision is already under appeal (or was decided on appeal)."),
        )
    received_on = timezone.localdate(received_at)
    appeal = Appeal.objects.create(
        appellant=person,
        subject_kind=record.kind,
        decision=record.decision,
        application=record.application,
        accommodation=record.accommodation,
        result=record.result,
        certificate=record.certificate,
        scheme_id=record.scheme_id,
        subject_label=record.label[:200],
        subject_decided_on=record.decided_on,
        grounds=grounds,
        remedy_sought=remedy_sought.strip(),
        channel=channel,
        received_at=received_at,
        recorded_by=actor,
        lodged_in_time=deadlines.lodged_in_time(
            decided_on=record.decided_on,
            received_on=received_on,
            window=deadlines.appeal_window_days(),
        ),
        acknowledge_due_on=deadlines.acknowledge_by(received_on, deadlines.acknowledge_days()),
        decision_due_on=deadlines.decide_by(received_on, deadlines.decision_days()),
    )
    related = [
        item
        for item in (
            person, record.decision, record.application, record.accommodation, record.result,
            record.certificate,
        )
        if item is not None
    ]  # fmt: skip
    record_event(
        AppealsEvent.RECEIVED,
        actor=actor,
        subject=appeal,
        related=related,
        data={
            "reference": appeal.reference,
            "subject_kind": appeal.subject_kind,
            "channel": channel,
            "received_at": received_at,
            "lodged_in_time": appeal.lodged_in_time,
        },
    )
    _acknowledge_automatically(appeal)
    return appeal


def _acknowledge_automatically(appeal: Appeal) -> None:
    now = timezone.now()
    if not notify_appellant(
        appeal,
        "appeals_acknowledged",
        grounds=appeal.grounds,
        lodged_in_time=appeal.lodged_in_time,
        window_days=deadlines.appeal_window_days(),
    ):
        return
    appeal.acknowledged_at = now
    appeal.acknowledgement_note = _("Written acknowledgement sent automatically")
    appeal.last_update_at = now
    appeal.save(
        update_fields=["acknowledged_at", "acknowledgement_note", "last_update_at", "updated_at"]
    )
    record_event(
        AppealsEvent.ACKNOWLEDGED,
        actor=None,
        subject=appeal,
        data={
            "reference": appeal.reference,
            "late": timezone.localdate(now) > appeal.acknowledge_due_on,
        },
        occurred_at=now,
    )


@transaction.atomic(durable=True)
def lodge_appeal(
    *,
    actor: User,
    subject_kind: str,
    subject_key: str = "",
    grounds: str,
    remedy_sought: str = "",
) -> Appeal:
    """A person appeals a decision in their own file from the portal (9.8)."""
    person = get_person_of_user(actor)
    if person is None:
        raise AppealsNotPermittedError(
            "no_person_record", _("Your account has no person record; contact the body.")
        )
    return _open_appeal(
        actor=actor, person=person, subject_kind=subject_kind, subject_key=subject_key,
        grounds=grounds, remedy_sought=remedy_sought, channel=AppealChannel.PORTAL,
        received_at=timezone.now(),
    )  # fmt: skip


@transaction.atomic(durable=True)
def record_appeal(
    *,
    actor: User,
    appellant: Person,
    subject_kind: str,
    subject_key: str = "",
    grounds: str,
    remedy_sought: str = "",
    channel: str = AppealChannel.EMAIL,
    received_at: dt.datetime | None = None,
) -> Appeal:
    """Staff record an appeal that came by email or letter, with the day it was received."""
    require_appeals_staff(actor)
    if channel not in AppealChannel.values or channel == AppealChannel.PORTAL:
        raise AppealsInputError("invalid_channel", _("Say how the appeal was received."))
    now = timezone.now()
    received_at = received_at or now
    if received_at > now:
        raise AppealsInputError(
            "received_in_future", _("The day received cannot be in the future.")
        )
    return _open_appeal(
        actor=actor, person=appellant, subject_kind=subject_kind, subject_key=subject_key,
        grounds=grounds, remedy_sought=remedy_sought, channel=channel, received_at=received_at,
    )  # fmt: skip


@transaction.atomic(durable=True)
def record_acknowledgement(*, actor: User, appeal: Appeal, note: str) -> Appeal:
    """Staff record an acknowledgement made by post or phone (no email address on file)."""
    require_appeals_staff(actor)
    appeal = lock(appeal)
    if appeal.acknowledged_at is not None:
        raise AppealsError("already_acknowledged", _("This appeal was already acknowledged."))
    if not note.strip():
        raise AppealsInputError(
            "note_required", _("Say how the appeal was acknowledged (a letter posted on …).")
        )
    now = timezone.now()
    appeal.acknowledged_at = now
    appeal.acknowledgement_note = note.strip()[:200]
    appeal.last_update_at = now
    appeal.save(
        update_fields=["acknowledged_at", "acknowledgement_note", "last_update_at", "updated_at"]
    )
    record_event(
        AppealsEvent.ACKNOWLEDGED,
        actor=actor,
        subject=appeal,
        reason=appeal.acknowledgement_note,
        data={
            "reference": appeal.reference,
            "late": timezone.localdate(now) > appeal.acknowledge_due_on,
        },
        occurred_at=now,
    )
    return appeal

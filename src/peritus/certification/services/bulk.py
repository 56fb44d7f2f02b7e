"""Bulk operations on certificates (9.5, 9.6): prepare with a preview, confirm, run, report.

Kinds: suspend or withdraw a list (decision makers; e.g. the annual fee unpaid after review), send
expiry reminders now to a list (certification officers), move the holders of a scheme version to
the published version (scheme managers).

A list of certificate numbers (or, for a move to a new scheme version, every holder of a version)
becomes a `BulkOperation` with one `BulkOperationItem` per certificate. The preview foresees, with
the same reads the services use (role, independence from the holder, status, dates, scope), which
items would be refused and why. Confirming runs each item through its ordinary service, one
transaction per certificate, so no bulk action skips a rule: what the service refuses is recorded
on the item with its code and message, and the rest goes ahead. Bad input (an empty list, unknown
numbers, missing reasons) refuses the whole preparation and nothing is recorded.

A move to a new version confirmed for a future transition date is scheduled; `run_due_operations`
carries it out on that date (a `peritus tick` job can call it), or staff run it from its page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import has_role, role_grants
from peritus.accounts.services import require_role
from peritus.audit_trail.services import record_event
from peritus.certification.errors import CertificationError, CertificationInputError
from peritus.certification.events import CertificationEvent
from peritus.certification.lifecycle_checks import (
    holder_involvements,
    status_allows,
    suspension_max_days,
)
from peritus.certification.models import (
    BulkItemOutcome,
    BulkOperation,
    BulkOperationItem,
    BulkOperationKind,
    BulkOperationStatus,
    Certificate,
)
from peritus.certification.numbers import parse_reference
from peritus.certification.services.lifecycle import suspend_certificate, withdraw_certificate
from peritus.certification.services.migration import (
    check_target_version,
    migrate_certificate,
    migration_refusal,
)
from peritus.certification.services.reminders import send_expiry_reminder
from peritus.certification.status import LAPSING_STATUSES
from peritus.core.errors import DomainError
from peritus.schemes.models import SchemeVersion

MAX_ITEMS = 2000
STALE_RUN = dt.timedelta(hours=1)
_SEPARATORS = re.compile(r"[\s,;]+")

#: Who may run each kind of list operation (the services check the same role per certificate).
ROLE_FOR_KIND: dict[str, RoleCode] = {
    BulkOperationKind.SUSPEND: RoleCode.DECISION_MAKER,
    BulkOperationKind.WITHDRAW: RoleCode.DECISION_MAKER,
    BulkOperationKind.SEND_REMINDERS: RoleCode.CERTIFICATION_OFFICER,
    BulkOperationKind.MIGRATE: RoleCode.SCHEME_MANAGER,
}
LIST_KINDS = (
    BulkOperationKind.SUSPEND,
    BulkOperationKind.WITHDRAW,
    BulkOperationKind.SEND_REMINDERS,
)
#: The action name `status_allows` knows each kind by.
STATUS_ACTION: dict[str, str] = {
    BulkOperationKind.SUSPEND: "suspend",
    BulkOperationKind.WITHDRAW: "withdraw",
    BulkOperationKind.SEND_REMINDERS: "remind",
}


@dataclasses.dataclass(frozen=True)
class Foreseen:
    code: str
    message: str


# Reading the list -------------------------------------------------------------------------------


def _scheme_ids(actor: User, role: RoleCode) -> set[int] | None:
    """The schemes `actor` acts for in `role`; None for every scheme."""
    grants = [grant for grant in role_grants(actor) if grant.active and grant.role == role]
    if any(grant.scheme_id is None for grant in grants):
        return None
    return {grant.scheme_id for grant in grants if grant.scheme_id is not None}


def read_numbers(text: str, *, actor: User, role: RoleCode) -> list[Certificate]:
    """The certificates a pasted or uploaded list names, in its order, each once.

    Numbers may be separated by lines, commas, semicolons or spaces; a header line such as
    "number" is ignored. Unknown numbers (or numbers of schemes the actor does not act for) refuse
    the whole list, naming them.
    """
    tokens = [token for token in _SEPARATORS.split(text or "") if token]
    if tokens and tokens[0].strip().lower() in ("number", "numbers", "certificate", "nummer"):
        tokens = tokens[1:]
    if not tokens:
        raise CertificationInputError(
            "list_empty", _("The list holds no certificate number. Paste one number a line.")
        )
    keys: dict[str, str] = {}
    unreadable: list[str] = []
    for token in tokens:
        readings = parse_reference(token)
        if not readings:
            unreadable.append(token)
            continue
        keys.setdefault(readings[0].key, token)
    if len(keys) > MAX_ITEMS:
        raise CertificationInputError(
            "list_too_long",
            _("A list may hold at most %(count)s certificates; split it.") % {"count": MAX_ITEMS},
        )
    found = Certificate.objects.select_related("holder", "scheme", "scheme_version", "decision")
    scheme_ids = _scheme_ids(actor, role)
    if scheme_ids is not None:
        found = found.filter(scheme_id__in=scheme_ids)
    by_key = {
        certificate.number_key: certificate for certificate in found.filter(number_key__in=keys)
    }
    unknown = unreadable + [token for key, token in keys.items() if key not in by_key]
    if unknown:
        shown = ", ".join(unknown[:20]) + (" …" if len(unknown) > 20 else "")
        raise CertificationInputError(
            "unknown_numbers",
            _("No certificate you act for has the number %(numbers)s. Nothing was prepared.")
            % {"numbers": shown},
            numbers=unknown,
        )
    return [by_key[key] for key in keys]


# Foreseeing refusals (the services' own checks, read ahead) ---------------------------------------


def foresee(
    operation: BulkOperation, certificate: Certificate, *, actor: User, today: dt.date
) -> Foreseen | None:
    """Why the service would refuse this item now, or None."""
    kind = operation.kind
    if kind == BulkOperationKind.MIGRATE:
        assert operation.target_version is not None
        refusal = migration_refusal(actor, certificate, operation.target_version, today=today)
        return Foreseen(refusal.code, refusal.message) if refusal else None
    role = ROLE_FOR_KIND[kind]
    if not has_role(actor, role, scheme_id=certificate.get_scheme_id()):
        return Foreseen("role_not_held", _("This needs the role %(role)s.") % {"role": role.label})
    if kind != BulkOperationKind.SEND_REMINDERS:  # a reminder is no decision about the holder
        involved = holder_involvements(actor, certificate, on=today)
        if involved:
            return Foreseen(involved[0].code, involved[0].message)
    check = status_allows(certificate, STATUS_ACTION[kind], today=today)
    if not check.allowed:
        return Foreseen(check.code, check.message)
    if (
        kind == BulkOperationKind.SUSPEND
        and operation.deadline is not None
        and operation.deadline > certificate.expires_on
    ):
        return Foreseen(
            "deadline_after_expiry",
            _("The deadline cannot be after the certificate expires (%(date)s).")
            % {"date": certificate.expires_on.isoformat()},
        )
    return None


def _store_items(
    operation: BulkOperation, certificates: Sequence[Certificate], *, actor: User, today: dt.date
) -> None:
    items = []
    for position, certificate in enumerate(certificates, start=1):
        foreseen = foresee(operation, certificate, actor=actor, today=today)
        items.append(
            BulkOperationItem(
                operation=operation,
                certificate=certificate,
                position=position,
                foreseen_code=foreseen.code if foreseen else "",
                message=foreseen.message if foreseen else "",
            )
        )
    BulkOperationItem.objects.bulk_create(items, batch_size=500)


def _previewed(operation: BulkOperation, actor: User, *, now: dt.datetime, count: int) -> None:
    record_event(
        CertificationEvent.BULK_OPERATION_PREVIEWED,
        actor=actor,
        subject=operation,
        reason=operation.reason,
        data={
            "reference": operation.reference,
            "kind": operation.kind,
            "items": count,
            "foreseen_refusals": operation.items.exclude(foreseen_code="").count(),
        },
        occurred_at=now,
    )


# Preparing --------------------------------------------------------------------------------------


def _check_suspension_terms(
    conditions: str, deadline: dt.date | None, today: dt.date
) -> tuple[str, dt.date]:
    conditions = (conditions or "").strip()
    if not conditions:
        raise CertificationInputError(
            "conditions_required", _("Say what the holders must do to be reinstated.")
        )
    if deadline is None:
        raise CertificationInputError(
            "deadline_required", _("Set the deadline by which the conditions must be met.")
        )
    if deadline <= today:
        raise CertificationInputError("deadline_in_past", _("The deadline must be a future date."))
    longest = suspension_max_days()
    if (deadline - today).days > longest:
        raise CertificationInputError(
            "deadline_too_far",
            _("A suspension may last at most %(days)s days.") % {"days": longest},
        )
    return conditions, deadline


@transaction.atomic(durable=True)
def prepare_bulk_operation(
    *,
    actor: User,
    kind: str,
    numbers: str,
    reason: str,
    conditions: str = "",
    deadline: dt.date | None = None,
) -> BulkOperation:
    """Read the list and record the preview; nothing happens to any certificate yet."""
    if kind not in LIST_KINDS:
        raise CertificationInputError("kind_unknown", _("Choose what to do: suspend or withdraw."))
    role = ROLE_FOR_KIND[kind]
    require_role(actor, role)
    reason = (reason or "").strip()
    if not reason and kind != BulkOperationKind.SEND_REMINDERS:
        raise CertificationInputError(
            "reason_required", _("Give the reasons; every holder reads them in the notice.")
        )
    now = timezone.now()
    today = timezone.localdate(now)
    if kind == BulkOperationKind.SUSPEND:
        conditions, deadline = _check_suspension_terms(conditions, deadline, today)
    else:
        conditions, deadline = "", None
    certificates = read_numbers(numbers, actor=actor, role=role)
    schemes = {certificate.scheme_id for certificate in certificates}
    operation = BulkOperation.objects.create(
        kind=kind,
        scheme_id=schemes.pop() if len(schemes) == 1 else None,
        reason=reason,
        conditions=conditions,
        deadline=deadline,
        created_by=actor,
    )
    _store_items(operation, certificates, actor=actor, today=today)
    _previewed(operation, actor, now=now, count=len(certificates))
    return operation


@transaction.atomic(durable=True)
def prepare_migration(
    *,
    actor: User,
    source_version: SchemeVersion,
    target_version: SchemeVersion,
    effective_on: dt.date | None,
    reason: str,
) -> BulkOperation:
    """Preview moving every holder of `source_version` to `target_version` on `effective_on`."""
    require_role(actor, RoleCode.SCHEME_MANAGER, scheme_id=source_version.get_scheme_id())
    check_target_version(source_version, target_version, source_version.get_scheme_id())
    reason = (reason or "").strip()
    if not reason:
        raise CertificationInputError(
            "reason_required", _("Say why the holders move; every holder reads it in the notice.")
        )
    now = timezone.now()
    today = timezone.localdate(now)
    if effective_on is None:
        raise CertificationInputError(
            "transition_date_required", _("Set the date on which the holders move.")
        )
    if effective_on < today:
        raise CertificationInputError(
            "transition_date_in_past", _("The transition date cannot be in the past.")
        )
    certificates = list(
        Certificate.objects.select_related("holder", "scheme", "scheme_version", "decision")
        .filter(scheme_version=source_version, status__in=[str(s) for s in LAPSING_STATUSES])
        .order_by("number_key")
    )
    if not certificates:
        raise CertificationInputError(
            "no_holders",
            _("No valid or suspended certificate is held under version %(version)s.")
            % {"version": source_version.version},
        )
    if len(certificates) > MAX_ITEMS * 25:
        raise CertificationInputError(
            "list_too_long", _("Too many holders for one operation; ask for a batch import.")
        )
    operation = BulkOperation.objects.create(
        kind=BulkOperationKind.MIGRATE,
        scheme_id=source_version.scheme_id,
        target_version=target_version,
        effective_on=effective_on,
        reason=reason,
        created_by=actor,
    )
    _store_items(operation, certificates, actor=actor, today=today)
    _previewed(operation, actor, now=now, count=len(certificates))
    return operation


# Confirming and running -------------------------------------------------------------------------


def _require_may_run(operation: BulkOperation, actor: User) -> None:
    require_role(actor, ROLE_FOR_KIND[operation.kind], scheme_id=operation.get_scheme_id())


@transaction.atomic(durable=True)
def _claim(operation: BulkOperation, actor: User) -> tuple[BulkOperation, bool]:
    """Lock and mark confirmed; True when the run should start now (not a future move)."""
    _require_may_run(operation, actor)
    operation = BulkOperation.objects.select_for_update().get(pk=operation.pk)
    if operation.status != BulkOperationStatus.PREVIEWED:
        raise CertificationError(
            "operation_not_open",
            _("This operation is %(status)s; prepare a new one.")
            % {"status": BulkOperationStatus(operation.status).label.lower()},
        )
    now = timezone.now()
    due = operation.effective_on is None or operation.effective_on <= timezone.localdate(now)
    operation.schedule()
    operation.confirmed_by = actor
    operation.confirmed_at = now
    if due:
        operation.executed_at = now  # claimed for the run that follows (see _start)
    operation.save(
        update_fields=["status", "confirmed_by", "confirmed_at", "executed_at", "updated_at"]
    )
    record_event(
        CertificationEvent.BULK_OPERATION_CONFIRMED,
        actor=actor,
        subject=operation,
        reason=operation.reason,
        data={
            "reference": operation.reference,
            "kind": operation.kind,
            "effective_on": operation.effective_on,
        },
        occurred_at=now,
    )
    return operation, due


def _start(operation: BulkOperation, now: dt.datetime) -> bool:
    """Claim a scheduled operation for one run (the page and `peritus tick` may both try).

    While the status is still "scheduled", `executed_at` marks a run in progress; a claim older
    than `STALE_RUN` is taken to be a run that crashed, and may be taken over (pending items only).
    """
    claimed = (
        BulkOperation.objects.filter(pk=operation.pk, status=BulkOperationStatus.SCHEDULED)
        .filter(Q(executed_at__isnull=True) | Q(executed_at__lt=now - STALE_RUN))
        .update(executed_at=now)
    )
    return claimed == 1


def _service_for(operation: BulkOperation, actor: User) -> Callable[[Certificate], Any]:
    kind = operation.kind
    if kind == BulkOperationKind.SUSPEND:
        return lambda certificate: suspend_certificate(
            certificate=certificate,
            actor=actor,
            reason=operation.reason,
            conditions=operation.conditions,
            deadline=operation.deadline,
            bulk_operation=operation,
        )
    if kind == BulkOperationKind.WITHDRAW:
        return lambda certificate: withdraw_certificate(
            certificate=certificate, actor=actor, reason=operation.reason, bulk_operation=operation
        )
    if kind == BulkOperationKind.SEND_REMINDERS:
        return lambda certificate: send_expiry_reminder(
            certificate=certificate, actor=actor, bulk_operation=operation
        )
    if kind == BulkOperationKind.MIGRATE:
        target = operation.target_version
        assert target is not None
        return lambda certificate: migrate_certificate(
            certificate=certificate,
            actor=actor,
            target_version=target,
            reason=operation.reason,
            bulk_operation=operation,
        )
    raise CertificationInputError("kind_unknown", _("This kind of operation cannot run."))


def _run(operation: BulkOperation, actor: User) -> BulkOperation:
    """Each pending item through its service (its own transaction), then the report."""
    service = _service_for(operation, actor)
    pending = operation.items.filter(outcome=BulkItemOutcome.PENDING).select_related("certificate")
    for item in pending.order_by("position"):
        try:
            service(item.certificate)
        except DomainError as error:
            outcome, code, message = BulkItemOutcome.REFUSED, error.code, error.message
        else:
            outcome, code, message = BulkItemOutcome.DONE, "", ""
        BulkOperationItem.objects.filter(pk=item.pk, outcome=BulkItemOutcome.PENDING).update(
            outcome=outcome, code=code, message=message
        )
    return _finish(operation, actor)


@transaction.atomic(durable=True)
def _finish(operation: BulkOperation, actor: User) -> BulkOperation:
    operation = BulkOperation.objects.select_for_update().get(pk=operation.pk)
    now = timezone.now()
    operation.execute()
    operation.executed_at = now
    operation.save(update_fields=["status", "executed_at", "updated_at"])
    items = operation.items
    record_event(
        CertificationEvent.BULK_OPERATION_EXECUTED,
        actor=actor,
        subject=operation,
        reason=operation.reason,
        data={
            "reference": operation.reference,
            "kind": operation.kind,
            "done": items.filter(outcome=BulkItemOutcome.DONE).count(),
            "refused": items.filter(outcome=BulkItemOutcome.REFUSED).count(),
        },
        occurred_at=now,
    )
    return operation


def confirm_bulk_operation(*, operation: BulkOperation, actor: User) -> BulkOperation:
    """Confirm a previewed operation and run it now, or schedule a move for its future date."""
    operation, due = _claim(operation, actor)
    if not due:
        return operation
    return _run(operation, actor)


def run_scheduled_operation(*, operation: BulkOperation, actor: User) -> BulkOperation:
    """Run a confirmed operation whose date has come (or finish one a crash interrupted)."""
    _require_may_run(operation, actor)
    operation = BulkOperation.objects.get(pk=operation.pk)
    if operation.status != BulkOperationStatus.SCHEDULED:
        raise CertificationError(
            "operation_not_scheduled", _("Only a confirmed, scheduled operation can be run.")
        )
    if operation.effective_on is not None and operation.effective_on > timezone.localdate():
        raise CertificationError(
            "transition_date_not_reached",
            _("The transition date (%(date)s) has not come yet.")
            % {"date": operation.effective_on.isoformat()},
        )
    if not _start(operation, timezone.now()):
        raise CertificationError(
            "operation_running", _("This operation is being carried out; reload in a moment.")
        )
    return _run(operation, actor)


def run_due_operations(*, now: dt.datetime) -> int:
    """Run every scheduled operation whose date has come, as the person who confirmed it."""
    today = timezone.localdate(now)
    due = BulkOperation.objects.filter(
        status=BulkOperationStatus.SCHEDULED, effective_on__lte=today
    ).select_related("confirmed_by")
    count = 0
    for operation in due.order_by("effective_on", "pk"):
        actor = operation.confirmed_by
        if actor is None or not _start(operation, now):
            continue
        _run(operation, actor)
        count += 1
    return count


@transaction.atomic(durable=True)
def cancel_bulk_operation(*, operation: BulkOperation, actor: User) -> BulkOperation:
    """Drop a previewed or scheduled operation; nothing more is done."""
    _require_may_run(operation, actor)
    operation = BulkOperation.objects.select_for_update().get(pk=operation.pk)
    if operation.status not in (BulkOperationStatus.PREVIEWED, BulkOperationStatus.SCHEDULED):
        raise CertificationError(
            "operation_not_open", _("This operation has already been carried out.")
        )
    if operation.executed_at is not None or (
        operation.items.exclude(outcome=BulkItemOutcome.PENDING).exists()
    ):
        raise CertificationError(
            "operation_started", _("This operation has started; let it finish instead.")
        )
    now = timezone.now()
    operation.cancel()
    operation.save(update_fields=["status", "updated_at"])
    record_event(
        CertificationEvent.BULK_OPERATION_CANCELLED,
        actor=actor,
        subject=operation,
        data={"reference": operation.reference, "kind": operation.kind},
        occurred_at=now,
    )
    return operation

"""The recertification policy of a scheme version, and the holder's CPD log (9.6, R21)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import IO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.services import require_role
from peritus.audit_trail.services import record_event
from peritus.certification.models import Certificate
from peritus.recertification.errors import RecertificationError, RecertificationInputError
from peritus.recertification.events import RecertificationEvent
from peritus.recertification.models import CpdActivity, CpdCategory, RecertificationPolicy
from peritus.recertification.schedule import cycle_start, rules_for
from peritus.recertification.services.common import (
    check_and_attach,
    lock_certificate,
    require_holder,
    required_text,
)
from peritus.schemes.models import SchemeVersion

MAX_HOURS = Decimal(200)


@transaction.atomic(durable=True)
def set_recertification_policy(
    *,
    actor: User,
    scheme_version: SchemeVersion,
    categories: Sequence[tuple[str, str, Decimal]] = (),
    declaration_text: str = "",
    work_log_required: bool = False,
    reexamination_required: bool = False,
    spot_check_percent: Decimal = Decimal(10),
    grace_period_days: int = 0,
    surveillance_notice_days: int = 30,
    self_declared_justification: str = "",
) -> RecertificationPolicy:
    """Set the rules the scheme version does not hold (the scheme manager's act)."""
    require_role(actor, RoleCode.SCHEME_MANAGER, scheme_id=scheme_version.get_scheme_id())
    if not Decimal(0) <= spot_check_percent <= Decimal(100):
        raise RecertificationInputError(
            "invalid_rate", _("The sampling rate is a percentage from 0 to 100.")
        )
    if not 0 <= grace_period_days <= 365:
        raise RecertificationInputError(
            "invalid_grace", _("The grace period is from 0 to 365 days.")
        )
    codes = [code for code, _name, _hours in categories]
    if len(set(codes)) != len(codes):
        raise RecertificationInputError("duplicate_category", _("Each category code once."))
    relies_on_declarations = not (
        work_log_required or reexamination_required or spot_check_percent > 0
    )
    if relies_on_declarations and not self_declared_justification.strip():
        raise RecertificationInputError(
            "justification_required",
            _(
                "A route of only self-declared evidence (no work log, no re-examination, no "
                "audit sample) needs a recorded justification (R21)."
            ),
        )
    policy, _created = RecertificationPolicy.objects.update_or_create(
        scheme_version=scheme_version,
        defaults={
            "declaration_text": declaration_text.strip(),
            "work_log_required": work_log_required,
            "reexamination_required": reexamination_required,
            "spot_check_percent": spot_check_percent,
            "grace_period_days": grace_period_days,
            "surveillance_notice_days": surveillance_notice_days,
            "self_declared_justification": self_declared_justification.strip(),
        },
    )
    policy.categories.all().delete()
    CpdCategory.objects.bulk_create(
        [
            CpdCategory(policy=policy, code=code, name=name, min_hours=hours, position=index)
            for index, (code, name, hours) in enumerate(categories)
        ]
    )
    record_event(
        RecertificationEvent.POLICY_SET,
        actor=actor,
        actor_role=RoleCode.SCHEME_MANAGER,
        subject=policy,
        related=[scheme_version],
        data={
            "categories": {code: str(hours) for code, _name, hours in categories},
            "spot_check_percent": str(spot_check_percent),
            "grace_period_days": grace_period_days,
            "work_log_required": work_log_required,
            "reexamination_required": reexamination_required,
        },
    )
    return policy


def _hours(value: Decimal | str) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except InvalidOperation:
        raise RecertificationInputError("invalid_hours", _("Give the hours as a number.")) from None
    if not hours.is_finite():  # NaN passes quantize, and comparing it raises
        raise RecertificationInputError("invalid_hours", _("Give the hours as a number."))
    if hours < Decimal("0.5") or hours > MAX_HOURS:
        raise RecertificationInputError(
            "invalid_hours",
            _("An activity counts from half an hour to %(max)s hours.") % {"max": MAX_HOURS},
        )
    return hours


@transaction.atomic(durable=True)
def log_cpd_activity(
    *,
    actor: User,
    certificate: Certificate,
    category: str,
    title: str,
    completed_on: dt.date,
    hours: Decimal | str,
    upload: IO[bytes],
    name: str,
    provider: str = "",
    description: str = "",
) -> CpdActivity:
    """The holder logs one CPD activity in the current cycle, with its evidence."""
    certificate = lock_certificate(certificate)
    role = require_holder(actor, certificate)
    title = required_text(title, "title_required", _("Name the activity."))
    rules = rules_for(certificate.scheme_version)
    if category not in rules.category_codes():
        raise RecertificationInputError(
            "unknown_category", _("Choose one of the scheme's CPD categories.")
        )
    now = timezone.now()
    today = timezone.localdate(now)
    public = certificate.public_status(today).status
    if public == "withdrawn":
        raise RecertificationError(
            "certificate_withdrawn", _("CPD cannot be logged on a withdrawn certificate.")
        )
    starts_on = cycle_start(certificate)
    if completed_on > today:
        raise RecertificationInputError(
            "completed_in_future", _("Log an activity once you have completed it.")
        )
    if completed_on < starts_on:
        raise RecertificationInputError(
            "before_cycle",
            _("Only activities from %(date)s on count in this cycle.")
            % {"date": starts_on.isoformat()},
        )
    activity = CpdActivity(
        certificate=certificate,
        category=category,
        title=title[:200],
        provider=provider.strip()[:200],
        completed_on=completed_on,
        hours=_hours(hours),
        description=description.strip(),
        logged_by=actor,
    )
    check_and_attach(activity, upload, name)
    try:
        activity.save()
        record_event(
            RecertificationEvent.CPD_LOGGED,
            actor=actor,
            actor_role=role,
            subject=activity,
            related=[certificate],
            data={
                "number": certificate.number,
                "category": category,
                "hours": str(activity.hours),
                "completed_on": completed_on,
                "sha256": activity.sha256,
            },
            occurred_at=now,
        )
    except BaseException:
        activity.file.delete(save=False)
        raise
    return activity

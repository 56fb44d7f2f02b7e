"""The rules a certificate answers to, and what is due when (pure reads, no changes).

Dates (all inclusive, in the body's time zone):

* The **cycle** starts on the certificate's effective date, or, after a recertification, the day
  after the previous expiry; it ends on the expiry date.
* **Surveillance** is due every `surveillance_interval_months` after the cycle start, for every
  such date before the recertification window opens (the recertification replaces the surveillance
  that would fall in the window). It can be submitted from `surveillance_notice_days` before the
  date and is overdue the day after it.
* The **recertification window** opens `recertification_window_months` before the end of the
  cycle (on the day after the expiry date, moved back by that many months) and closes on the
  expiry date; a late submission is accepted up to the end of the policy's grace period.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peritus.certification.models import Certificate, LifecycleAction, LifecycleDecision
from peritus.certification.validity import add_months
from peritus.recertification.models import (
    DEFAULT_SPOT_CHECK_PERCENT,
    CpdActivity,
    RecertificationPolicy,
    Submission,
    SubmissionKind,
    SubmissionStatus,
)
from peritus.schemes.models import SchemeVersion

GENERAL = "general"
DEFAULT_DECLARATION = gettext_lazy(
    "I declare that I have continued to practise within the scope of my certificate, that the "
    "information I give is true, and that I still meet the scheme's requirements."
)


@dataclasses.dataclass(frozen=True)
class Category:
    code: str
    name: str
    min_hours: Decimal


@dataclasses.dataclass(frozen=True)
class Rules:
    """The scheme version's rules and its policy (defaults where no policy row exists)."""

    validity_months: int
    surveillance_interval_months: int | None
    window_months: int
    total_hours: Decimal
    categories: tuple[Category, ...]
    declaration_text: str
    work_log_required: bool
    reexamination_required: bool
    spot_check_percent: Decimal
    grace_period_days: int
    surveillance_notice_days: int
    surveillance_requirements: str
    recertification_requirements: str

    def category_codes(self) -> list[str]:
        return [category.code for category in self.categories]


def default_spot_check_percent() -> Decimal:
    return Decimal(str(getattr(settings, "PERITUS_SPOT_CHECK_PERCENT", DEFAULT_SPOT_CHECK_PERCENT)))


def rules_for(version: SchemeVersion) -> Rules:
    policy = RecertificationPolicy.objects.filter(scheme_version=version).first()
    total = Decimal(version.cpd_hours_per_cycle or 0)
    categories: tuple[Category, ...] = ()
    if policy is not None:
        categories = tuple(
            Category(row.code, row.name, row.min_hours) for row in policy.categories.all()
        )
    if not categories:
        categories = (Category(GENERAL, _("General"), total),)
    total = max(total, sum((category.min_hours for category in categories), Decimal(0)))
    return Rules(
        validity_months=int(version.validity_months or 0),
        surveillance_interval_months=version.surveillance_interval_months or None,
        window_months=int(version.recertification_window_months),
        total_hours=total,
        categories=categories,
        declaration_text=(
            policy.declaration_text if policy is not None else str(DEFAULT_DECLARATION)
        ),
        work_log_required=bool(policy and policy.work_log_required),
        reexamination_required=bool(policy and policy.reexamination_required),
        spot_check_percent=(
            policy.spot_check_percent if policy is not None else default_spot_check_percent()
        ),
        grace_period_days=policy.grace_period_days if policy is not None else 0,
        surveillance_notice_days=policy.surveillance_notice_days if policy is not None else 30,
        surveillance_requirements=version.surveillance_requirements,
        recertification_requirements=version.recertification_requirements,
    )


def cycle_start(certificate: Certificate) -> dt.date:
    """The first day of the current cycle: the day after the expiry the last recertification
    extended, or the effective date."""
    last = (
        LifecycleDecision.objects.filter(certificate=certificate, action=LifecycleAction.RECERTIFY)
        .order_by("-decided_at", "-pk")
        .values_list("expires_before", flat=True)
        .first()
    )
    if last is not None:
        return last + dt.timedelta(days=1)
    return certificate.valid_from


def window_opens_on(expires_on: dt.date, window_months: int) -> dt.date:
    return add_months(expires_on + dt.timedelta(days=1), -window_months)


def surveillance_points(
    starts_on: dt.date, expires_on: dt.date, *, interval_months: int | None, window_months: int
) -> list[dt.date]:
    """The dates surveillance is due in a cycle (none without an interval)."""
    if not interval_months:
        return []
    opens = window_opens_on(expires_on, window_months)
    points = []
    step = 1
    while (point := add_months(starts_on, step * interval_months)) < opens:
        points.append(point)
        step += 1
    return points


@dataclasses.dataclass(frozen=True)
class Hours:
    code: str
    name: str
    logged: Decimal
    required: Decimal

    @property
    def short(self) -> Decimal:
        return max(self.required - self.logged, Decimal(0))


@dataclasses.dataclass(frozen=True)
class Due:
    """What is due and when for one certificate, as the holder and the office see it."""

    certificate: Certificate
    rules: Rules
    cycle_starts_on: dt.date
    next_surveillance_on: dt.date | None
    surveillance_opens_on: dt.date | None
    surveillance_overdue: bool
    window_opens_on: dt.date
    grace_ends_on: dt.date
    hours: tuple[Hours, ...]
    open_submissions: tuple[Submission, ...]
    today: dt.date

    @property
    def total_logged(self) -> Decimal:
        return sum((row.logged for row in self.hours), Decimal(0))

    @property
    def hours_met(self) -> bool:
        return all(row.short == 0 for row in self.hours) and (
            self.total_logged >= self.rules.total_hours
        )

    @property
    def window_open(self) -> bool:
        return self.window_opens_on <= self.today <= self.grace_ends_on

    @property
    def surveillance_open(self) -> bool:
        return self.surveillance_opens_on is not None and self.today >= self.surveillance_opens_on

    def open_of(self, kind: str) -> Submission | None:
        return next((s for s in self.open_submissions if s.kind == kind), None)

    @property
    def open_surveillance(self) -> Submission | None:
        return self.open_of(SubmissionKind.SURVEILLANCE)

    @property
    def open_recertification(self) -> Submission | None:
        return self.open_of(SubmissionKind.RECERTIFICATION)


def cycle_activities(certificate: Certificate, starts_on: dt.date) -> list[CpdActivity]:
    return list(
        CpdActivity.objects.filter(certificate=certificate, completed_on__gte=starts_on).order_by(
            "-completed_on", "-pk"
        )
    )


def hours_by_category(rules: Rules, activities: list[CpdActivity]) -> tuple[Hours, ...]:
    logged: dict[str, Decimal] = {}
    for activity in activities:
        if activity.counts:
            logged[activity.category] = logged.get(activity.category, Decimal(0)) + activity.hours
    return tuple(
        Hours(
            category.code, category.name, logged.get(category.code, Decimal(0)), category.min_hours
        )
        for category in rules.categories
    )


def accepted_surveillance_dates(certificate: Certificate) -> set[dt.date]:
    return set(
        Submission.objects.filter(
            certificate=certificate,
            kind=SubmissionKind.SURVEILLANCE,
            status=SubmissionStatus.ACCEPTED,
        ).values_list("due_on", flat=True)
    )


def next_surveillance(points: list[dt.date], accepted: set[dt.date]) -> dt.date | None:
    return next((point for point in points if point not in accepted), None)


def due_for(certificate: Certificate, *, today: dt.date) -> Due:
    rules = rules_for(certificate.scheme_version)
    starts_on = cycle_start(certificate)
    points = surveillance_points(
        starts_on,
        certificate.expires_on,
        interval_months=rules.surveillance_interval_months,
        window_months=rules.window_months,
    )
    upcoming = next_surveillance(points, accepted_surveillance_dates(certificate))
    activities = cycle_activities(certificate, starts_on)
    return Due(
        certificate=certificate,
        rules=rules,
        cycle_starts_on=starts_on,
        next_surveillance_on=upcoming,
        surveillance_opens_on=(
            upcoming - dt.timedelta(days=rules.surveillance_notice_days)
            if upcoming is not None
            else None
        ),
        surveillance_overdue=upcoming is not None and today > upcoming,
        window_opens_on=window_opens_on(certificate.expires_on, rules.window_months),
        grace_ends_on=certificate.expires_on + dt.timedelta(days=rules.grace_period_days),
        hours=hours_by_category(rules, activities),
        open_submissions=tuple(
            Submission.objects.filter(
                certificate=certificate,
                status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.REVIEWED],
            )
        ),
        today=today,
    )

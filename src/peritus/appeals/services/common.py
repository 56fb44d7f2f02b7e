"""Building blocks the appeal services share (they run inside the caller's transaction)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from peritus.accounts.models import Person, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import has_role, list_users_with_role
from peritus.accounts.services import require_role
from peritus.appeals.errors import AppealsNotPermittedError, ImpartialityError
from peritus.appeals.independence import Obstacle, panel_obstacles
from peritus.appeals.models import Appeal, PanelMembership
from peritus.notifications.services import queue_notification

STAFF_ROLES = (RoleCode.APPEALS_PANEL, RoleCode.QUALITY_MANAGER)


def lock(appeal: Appeal) -> Appeal:
    """The appeal row, locked for the change (lock order: person, then the appeal)."""
    return (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("appellant__user", "scheme", "decision", "application", "certificate")
        .get(pk=appeal.pk)
    )


def require_appeals_staff(actor: Any) -> None:
    """An appeals panel member or the quality manager (who coordinates the appeals process)."""
    if any(has_role(actor, role) for role in STAFF_ROLES):
        return
    require_role(actor, RoleCode.APPEALS_PANEL)


def refuse(obstacles: list[Obstacle]) -> None:
    if obstacles:
        first = obstacles[0]
        raise ImpartialityError(
            first.code, first.message, involvements=[obstacle.code for obstacle in obstacles]
        )


def require_uninvolved(actor: Any, appeal: Appeal) -> None:
    """R22 for whoever validates, hears or decides: no part in the appellant's file."""
    refuse(panel_obstacles(actor, appeal))


def active_membership(appeal: Appeal, user: Any) -> PanelMembership | None:
    return (
        PanelMembership.objects.filter(appeal=appeal, member=user, ended_at__isnull=True)
        .select_related("member")
        .first()
    )


def require_panel_or_quality(actor: Any, appeal: Appeal) -> None:
    """A member of this appeal's panel who declared no conflict, or the quality manager."""
    membership = active_membership(appeal, actor)
    if (
        membership is not None
        and membership.has_declared
        and has_role(actor, RoleCode.APPEALS_PANEL)
    ):
        return
    if has_role(actor, RoleCode.QUALITY_MANAGER):
        return
    raise AppealsNotPermittedError(
        "not_on_panel",
        _("Only a member of this appeal's panel (or the quality manager) can do this."),
    )


def appellant_email(person: Person) -> str:
    user = person.user
    return person.email or (user.email if user is not None else "")


def portal_url(appeal: Appeal) -> str:
    base = str(settings.PERITUS["BASE_URL"]).rstrip("/")
    return f"{base}/portal/appeals/{appeal.reference}/"


def notify_appellant(appeal: Appeal, template: str, **context: Any) -> bool:
    """Write to the appellant; False when the body has no address for them (staff write by post)."""
    person = appeal.appellant
    email = appellant_email(person)
    if not email:
        return False
    queue_notification(
        template=template,
        recipient_email=email,
        recipient_person=person,
        recipient_user=person.user,
        subject=appeal,
        context={
            "person_name": person.full_name,
            "reference": appeal.reference,
            "subject_label": appeal.subject_label,
            "portal_url": portal_url(appeal) if person.user_id else "",
            "decision_due_on": appeal.decision_due_on,
            **context,
        },
    )
    return True


def notify_staff(appeal: Appeal, template: str, users: list[User], **context: Any) -> None:
    base = str(settings.PERITUS["BASE_URL"]).rstrip("/")
    for user in users:
        queue_notification(
            template=template,
            recipient_email=user.email,
            recipient_user=user,
            subject=appeal,
            context={
                "recipient_name": user.given_names or user.email,
                "reference": appeal.reference,
                "subject_label": appeal.subject_label,
                "office_url": f"{base}/office/appeals/{appeal.reference}/",
                **context,
            },
        )


def responsible_staff(appeal: Appeal) -> list[User]:
    """Who hears about a missed deadline: the panel, or (without one) every quality manager."""
    members = [
        membership.member
        for membership in PanelMembership.objects.filter(
            appeal=appeal, ended_at__isnull=True
        ).select_related("member")
    ]
    if members:
        return members
    return list(list_users_with_role(RoleCode.QUALITY_MANAGER))

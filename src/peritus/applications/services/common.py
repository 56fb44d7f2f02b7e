"""Building blocks the application services share. They run inside the caller's transaction."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from peritus.accounts.models import Person, User
from peritus.applications.errors import ApplicationError, ApplicationNotPermittedError
from peritus.applications.models import Application
from peritus.notifications.services import queue_notification

APPEAL_WINDOW_DAYS = 30


def appeal_window_days() -> int:
    return int(getattr(settings, "PERITUS_APPEAL_WINDOW_DAYS", APPEAL_WINDOW_DAYS))


def text_sha256(text: str) -> str:
    """The hash of exactly the text shown and signed (UTF-8, as stored)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def lock_application(application: Application) -> Application:
    """Lock the person, then the application (the lock order of docs/architecture.md)."""
    list(Person.objects.select_for_update().filter(pk=application.person_id).values_list("pk"))
    return (
        Application.objects.select_related("person", "scheme", "scheme_version__scheme")
        .select_for_update(of=("self",))
        .get(pk=application.pk)
    )


def require_applicant(actor: User, application: Application) -> None:
    """Only the person themselves acts as the applicant."""
    if application.person.user_id is None or application.person.user_id != actor.pk:
        raise ApplicationNotPermittedError(
            "not_the_applicant", _("Only the applicant can do this for their application.")
        )


def refuse_status(application: Application, action: str) -> ApplicationError:
    return ApplicationError(
        "invalid_status",
        _("An application that is %(status)s cannot be %(action)s.")
        % {"status": str(application.get_status_display()).lower(), "action": action},
        status=application.status,
    )


def portal_url(application: Application) -> str:
    return f"{settings.PERITUS['BASE_URL']}/portal/applications/{application.reference}/"


def office_url(application: Application) -> str:
    return f"{settings.PERITUS['BASE_URL']}/office/applications/{application.reference}/"


def notify_person(application: Application, *, template: str, **context: Any) -> None:
    """Tell the applicant, in their language, what happened to their application."""
    person = application.person
    email = person.email or (person.user.email if person.user is not None else "")
    if not email:
        return
    queue_notification(
        template=template,
        recipient_email=email,
        recipient_person=person,
        recipient_user=person.user,
        subject=application,
        context={
            "person": person,
            "application": application,
            "scheme": application.scheme,
            "version": application.scheme_version,
            "url": portal_url(application),
            **context,
        },
    )


def notify_staff(
    application: Application, user: User | None, *, template: str, **context: Any
) -> None:
    if user is None or not user.email:
        return
    queue_notification(
        template=template,
        recipient_email=user.email,
        recipient_user=user,
        subject=application,
        context={
            "recipient": user,
            "application": application,
            "scheme": application.scheme,
            "url": office_url(application),
            **context,
        },
    )

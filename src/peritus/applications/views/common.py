from __future__ import annotations

from django.http import HttpRequest

from peritus.applications.models import Application
from peritus.applications.selectors import applications_with_parts
from peritus.core.access import get_object_for


def application_for(
    request: HttpRequest, reference: str, *, perm: str | None = None
) -> Application:
    """The application if the user may see it (404 otherwise), and act on it (403 otherwise)."""
    return get_object_for(
        request.user,
        applications_with_parts(),
        view_perm="applications.view_application",
        perm=perm,
        reference=reference,
    )

"""The back office opens only to staff who signed in with a second factor (ADR 0011)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from peritus.accounts.second_factor import has_second_factor, signed_in_with_second_factor
from peritus.accounts.selectors import is_staff_member

PROTECTED_PREFIXES = ("/office/", "/admin/")


class StaffSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(PROTECTED_PREFIXES):
            response = self.gate(request)
            if response is not None:
                return response
        return self.get_response(request)

    def gate(self, request: HttpRequest) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        if not is_staff_member(user):
            raise PermissionDenied(_("The back office is for the body's staff."))
        if not has_second_factor(user):
            messages.warning(
                request, _("Set up two-factor authentication before you open the back office.")
            )
            return redirect("mfa_activate_totp")
        if not signed_in_with_second_factor(request):
            messages.warning(
                request, _("Sign in again with your second factor to open the back office.")
            )
            return redirect(f"{reverse('mfa_reauthenticate')}?next={request.path}")
        return None

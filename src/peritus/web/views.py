"""The shell: home, the portal and office entrances, health, personnel agreements, error pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

import peritus
from peritus.accounts.forms import AgreementAcceptanceForm
from peritus.accounts.selectors import (
    agreements_awaiting,
    describe_grant,
    get_person_of_user,
    is_staff_member,
    role_grants,
)
from peritus.accounts.services import accept_agreement
from peritus.core.errors import DomainError
from peritus.web.navigation import office_links, portal_links


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html")


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "version": peritus.__version__})


@login_required
def after_login(request: HttpRequest) -> HttpResponse:
    return redirect("web:office" if is_staff_member(request.user) else "web:portal")


@login_required
def portal(request: HttpRequest) -> HttpResponse:
    person = get_person_of_user(request.user)
    return render(
        request, "web/portal.html", {"person": person, "links": portal_links(request.user)}
    )


def office(request: HttpRequest) -> HttpResponse:
    grants = [describe_grant(grant) for grant in role_grants(request.user)]
    return render(
        request,
        "web/office.html",
        {
            "links": office_links(request.user),
            "grants": grants,
            "awaiting": agreements_awaiting(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def agreements(request: HttpRequest) -> HttpResponse:
    awaiting = agreements_awaiting(request.user)
    form = AgreementAcceptanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        agreement = form.cleaned_data["agreement"]
        if agreement not in awaiting:
            messages.info(request, _("Nothing to accept: that agreement is not waiting for you."))
            return redirect("web:agreements")
        try:
            accept_agreement(
                actor=request.user,  # type: ignore[arg-type]
                agreement=agreement,
                ip_address=request.META.get("REMOTE_ADDR"),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Thank you. Your acceptance of %(agreement)s is recorded.")
                % {"agreement": agreement},
            )
            return redirect("web:office")
    return render(request, "web/agreements.html", {"awaiting": awaiting, "form": form})


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"reason": reason}, status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    context: dict[str, Any] = {
        "reason": _("Your session may have expired. Go back, reload the page and try again.")
    }
    return render(request, "403.html", context, status=403)

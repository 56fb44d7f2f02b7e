"""Public verification, the public register and the published signing keys (7.2, 9.4, 9.7).

Read-only and anonymous: nothing here writes, not even a session (no CSRF token is asked for, no
message is stored), so a verification is one indexed query and a template (product.md §5).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from peritus.certification.selectors import (
    REGISTER_MAX_PAGES,
    Verification,
    VerificationMiss,
    jwks_document,
    search_register,
    verify_certificate,
)
from peritus.core.ratelimit import client_address, hit
from peritus.registry.forms import RegisterSearchForm, VerifyForm
from peritus.registry.fragments import miss_fragment, register_rows, verification_fragment
from peritus.registry.shell import render_page

MAX_NUMBER_LENGTH = 64
SEAL_LENGTH = 600  # what is read of the QR code's `?t=` seal
REVALIDATE = "no-cache, max-age=0"  # a status must never be served stale from a cache
NOINDEX = "noindex, nofollow"  # nor a status page indexed by search engines
# Set in the WSGI environment by the verification responder when it has counted the request
# against the limit and then handed it to Django after all (responder.py): not counted twice.
RATE_COUNTED = "peritus.verification_rate_counted"


def within_rate(request: HttpRequest, scope: str) -> bool:
    counted = request.META.get(RATE_COUNTED) if scope == "verify" else None
    if counted is not None:
        return bool(counted)
    return hit(scope, client_address(request), settings.PERITUS["VERIFICATION_RATE_LIMIT"])


def rate_limited_page(request: HttpRequest) -> HttpResponse:
    response = render(request, "registry/rate_limited.html", status=429)
    response["Retry-After"] = "60"
    return response


def _public_headers(response: HttpResponse) -> HttpResponse:
    """A status must never be served stale from a cache, nor the page indexed by search engines."""
    response["Cache-Control"] = REVALIDATE
    response["X-Robots-Tag"] = NOINDEX
    return response


@require_GET
def verify_form(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.GET or None)
    if request.GET and form.is_valid():
        return redirect("registry:verify-detail", number=form.cleaned_data["number"])
    return render(request, "registry/verify_form.html", {"form": form})


@require_GET
def verify_detail(request: HttpRequest, number: str) -> HttpResponse:
    if not within_rate(request, "verify"):
        return rate_limited_page(request)
    number = number[:MAX_NUMBER_LENGTH]
    today = timezone.localdate()
    result = verify_certificate(number, token=request.GET.get("t", "")[:SEAL_LENGTH], today=today)
    status, title, fragment = verification_page(result, number=number, today=today)
    response = render_page(
        request,
        full_template="registry/verify_page.html",
        fragment=fragment,
        title=title,
        status=status,
    )
    return _public_headers(response)


def verification_page(
    result: Verification | VerificationMiss, *, number: str, today: dt.date
) -> tuple[int, str, SafeString]:
    """The status, title and content of /verify/<number>/ (this view and responder.py)."""
    if isinstance(result, VerificationMiss):
        return 404, _("Certificate not found"), miss_fragment(result, number=number)
    fragment = verification_fragment(result, today=today, body_name=settings.PERITUS["BODY_NAME"])
    return 200, _("Certificate %(number)s") % {"number": result.reference}, fragment


@require_GET
def register(request: HttpRequest) -> HttpResponse:
    form = RegisterSearchForm(request.GET or None)
    page = None
    if request.GET and form.is_valid():
        if not within_rate(request, "register"):
            return rate_limited_page(request)
        page = search_register(
            query=form.cleaned_data["q"],
            scheme_id=form.cleaned_data["scheme"].pk if form.cleaned_data["scheme"] else None,
            page=form.cleaned_data["page"] or 1,
        )
        if not page.searched:
            form.add_error("q", _("Type at least three letters of a name, or a full number."))
    response = render(
        request,
        "registry/register.html",
        {
            "form": form,
            "page": page,
            "rows": register_rows(page.entries) if page is not None else "",
            "max_pages": REGISTER_MAX_PAGES,
        },
    )
    return _public_headers(response)


@require_GET
def signing_keys(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(jwks_document())
    patch_cache_control(response, public=True, max_age=300)
    return response

"""Personnel (roles and agreements) and personal API tokens in the back office."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peritus.accounts.forms import ApiTokenForm, RevocationForm, RoleAssignmentForm
from peritus.accounts.models import AgreementAcceptance, ApiToken, RoleAssignment, User
from peritus.accounts.requests import require_perm
from peritus.accounts.second_factor import signed_in_with_second_factor
from peritus.accounts.selectors import (
    describe_grant,
    list_personnel_active_without_agreement,
    role_grants,
)
from peritus.accounts.services import assign_role, create_api_token, revoke_api_token, revoke_role
from peritus.core.access import get_object_for
from peritus.core.errors import DomainError


def personnel(request: HttpRequest) -> HttpResponse:
    require_perm(request, "accounts.view_personnel")
    current = RoleAssignment.objects.current().select_related("role", "scheme")
    people = (
        User.objects.filter(role_assignments__in=current)
        .distinct()
        .prefetch_related(
            Prefetch("role_assignments", queryset=current, to_attr="current_assignments")
        )
        .order_by("family_name", "given_names")
    )
    return render(
        request,
        "accounts/personnel.html",
        {"people": people, "without_agreement": list_personnel_active_without_agreement()},
    )


@require_http_methods(["GET", "POST"])
def person_roles(request: HttpRequest, user_id: int) -> HttpResponse:
    require_perm(request, "accounts.view_personnel")
    member = get_object_for(
        request.user, User.objects.all(), view_perm="accounts.view_personnel", pk=user_id
    )
    form = RoleAssignmentForm(request.POST or None, initial={"valid_from": timezone.localdate()})
    if request.method == "POST":
        require_perm(request, "accounts.manage_roles")
        if form.is_valid():
            try:
                assign_role(
                    actor=cast(User, request.user),
                    user=member,
                    role=form.cleaned_data["role"].code,
                    scheme=form.cleaned_data["scheme"],
                    valid_from=form.cleaned_data["valid_from"],
                    valid_until=form.cleaned_data["valid_until"],
                    reason=form.cleaned_data["reason"],
                    languages=form.cleaned_data["languages"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Role assigned."))
                return redirect("accounts:person-roles", user_id=member.pk)
    assignments = RoleAssignment.objects.filter(user=member).select_related(
        "role", "scheme", "granted_by"
    )
    acceptances = AgreementAcceptance.objects.filter(user=member).select_related("agreement")
    return render(
        request,
        "accounts/person_roles.html",
        {
            "member": member,
            "assignments": assignments,
            "acceptances": acceptances,
            "grants": [describe_grant(grant) for grant in role_grants(member)],
            "form": form,
            "revocation_form": RevocationForm(),
            "may_manage": request.user.has_perm("accounts.manage_roles"),
        },
    )


@require_POST
def revoke(request: HttpRequest, assignment_id: int) -> HttpResponse:
    require_perm(request, "accounts.manage_roles")
    assignment = get_object_for(
        request.user,
        RoleAssignment.objects.all(),
        view_perm="accounts.manage_roles",
        pk=assignment_id,
    )
    form = RevocationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for revoking the role."))
    else:
        try:
            revoke_role(
                actor=cast(User, request.user),
                assignment=assignment,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Role revoked."))
    return redirect("accounts:person-roles", user_id=assignment.user_id)


def _token_pages(request: HttpRequest) -> tuple[str, str, str]:
    """Staff keep their tokens in the office, holders in the portal (an app that logs their CPD);
    the pages are the same, each in its own layout: (layout, list page, revoke url name)."""
    if request.path.startswith("/portal/"):
        return "portal_base.html", "accounts:portal-api-tokens", "accounts:portal-api-token-revoke"
    return "office_base.html", "accounts:api-tokens", "accounts:api-token-revoke"


@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    form = ApiTokenForm(request.POST or None)
    new_secret = ""
    if request.method == "POST" and form.is_valid():
        expires_on = form.cleaned_data["expires_on"]
        expires_at = (
            timezone.make_aware(dt.datetime.combine(expires_on, dt.time(23, 59)))
            if expires_on
            else None
        )
        scopes = ["read", "write"] if form.cleaned_data["write"] else ["read"]
        try:
            _token, new_secret = create_api_token(
                actor=user,
                name=form.cleaned_data["name"],
                scopes=scopes,
                expires_at=expires_at,
                second_factor_used=signed_in_with_second_factor(request),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            form = ApiTokenForm()
    layout, _list_page, revoke_url = _token_pages(request)
    context: dict[str, Any] = {
        "tokens": ApiToken.objects.filter(user=user),
        "form": form,
        "new_secret": new_secret,
        "layout": layout,
        "revoke_url": revoke_url,
    }
    return render(request, "accounts/api_tokens.html", context)


@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_for(
        request.user, ApiToken.objects.all(), view_perm="accounts.view_api_token", pk=token_id
    )
    try:
        revoke_api_token(actor=cast(User, request.user), token=token)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Token revoked. It stops working at once."))
    return redirect(_token_pages(request)[1])

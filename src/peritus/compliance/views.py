"""Office pages of the retaliation flags (R25): the list for management, and the review page.
Thin: parse, check access, call a service, show the result."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peritus.accounts.models import User
from peritus.compliance import selectors, services
from peritus.compliance.forms import FlagFilterForm, ReviewForm
from peritus.compliance.models import FlagStatus, RetaliationFlag
from peritus.core.access import get_object_for
from peritus.core.errors import DomainError

PAGE_SIZE = 50


def flag_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("compliance.view_retaliation_flags"):
        raise PermissionDenied
    form = FlagFilterForm(request.GET or {"status": FlagStatus.OPEN})
    status = form.cleaned_data["status"] if form.is_valid() else FlagStatus.OPEN
    page = Paginator(selectors.list_flags(status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "compliance/retaliation_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "open_count": selectors.count_open_flags(),
        },
    )


def _flag_for(request: HttpRequest, reference: str) -> RetaliationFlag:
    return get_object_for(
        request.user,
        selectors.get_flag_queryset(),
        view_perm="compliance.view_retaliation_flags",
        reference=reference[:12],
    )


def _page(
    request: HttpRequest, flag: RetaliationFlag, form: ReviewForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    may_review = flag.is_open and user.has_perm("compliance.review_retaliation_flag", flag)
    context: dict[str, Any] = {
        "flag": flag,
        "review_form": (form or ReviewForm()) if may_review else None,
        "took_part": flag.is_open and selectors.took_part_in_decision(user, flag),
    }
    return render(request, "compliance/retaliation_detail.html", context, status=status)


def flag_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _page(request, _flag_for(request, reference))


@require_POST
def flag_review(request: HttpRequest, reference: str) -> HttpResponse:
    flag = _flag_for(request, reference)
    if not request.user.has_perm("compliance.review_retaliation_flag", flag):
        raise PermissionDenied
    form = ReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.review_retaliation_flag(
                actor=cast(User, request.user),
                flag=flag,
                conclusion=data["conclusion"],
                reasons=data["reasons"],
                raise_action=data["raise_action"],
                action_due_on=data["action_due_on"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The conclusion of the review is recorded."))
            return redirect("compliance:retaliation-detail", flag.reference)
    return _page(request, flag, form, status=422)

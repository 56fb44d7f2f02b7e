"""Pages for bulk operations on certificates and for moving holders to a new scheme version.

Prepare (a pasted or uploaded list, or every holder of a version) → preview (who is affected, who
would be refused and why) → confirm → the result, item by item. Each item goes through its
ordinary service; the pages only show and ask.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peritus.accounts.requests import actor_of, require_perm
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import has_role, role_grants
from peritus.certification import selectors
from peritus.certification.forms import BulkOperationForm, MigrationForm
from peritus.certification.models import (
    BulkItemOutcome,
    BulkOperation,
    BulkOperationKind,
    BulkOperationStatus,
)
from peritus.certification.services.bulk import (
    ROLE_FOR_KIND,
    cancel_bulk_operation,
    confirm_bulk_operation,
    prepare_bulk_operation,
    prepare_migration,
    run_scheduled_operation,
)
from peritus.core.errors import DomainError

PAGE_SIZE = 100


def _scheme_ids(request: HttpRequest, roles: tuple[str, ...]) -> set[int] | None:
    grants = [grant for grant in role_grants(request.user) if grant.active and grant.role in roles]
    if any(grant.scheme_id is None for grant in grants):
        return None
    return {grant.scheme_id for grant in grants if grant.scheme_id is not None}


def _operation_for(request: HttpRequest, reference: str) -> BulkOperation:
    operation = (
        BulkOperation.objects.select_related(
            "created_by", "confirmed_by", "scheme", "target_version"
        )
        .filter(reference=reference)
        .first()
    )
    if operation is None or not request.user.has_perm(
        "certification.view_bulk_operation", operation
    ):
        raise Http404
    if (
        operation.scheme_id is None
        and operation.created_by_id != request.user.pk
        and _scheme_ids(request, (ROLE_FOR_KIND[operation.kind].value,)) is not None
    ):
        raise Http404  # a list over several schemes: its author and staff of every scheme
    return operation


def _kinds(request: HttpRequest) -> list[tuple[str, str]]:
    """The list operations the viewer's roles allow."""
    kinds: list[tuple[str, str]] = []
    if has_role(request.user, RoleCode.DECISION_MAKER):
        kinds += [
            (BulkOperationKind.SUSPEND, _("Suspend the listed certificates")),
            (BulkOperationKind.WITHDRAW, _("Withdraw the listed certificates")),
        ]
    if has_role(request.user, RoleCode.CERTIFICATION_OFFICER):
        kinds.append(
            (BulkOperationKind.SEND_REMINDERS, _("Send an expiry reminder now to each holder"))
        )
    return kinds


def bulk_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "certification.list_bulk_operations")
    roles = tuple(role.value for role in ROLE_FOR_KIND.values())
    operations = selectors.list_bulk_operations(scheme_ids=_scheme_ids(request, roles))
    page = Paginator(operations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "certification/bulk_list.html",
        {
            "page": page,
            "may_prepare": request.user.has_perm("certification.prepare_bulk_operation"),
            "may_migrate": request.user.has_perm("certification.migrate_holders"),
        },
    )


@require_http_methods(["GET", "POST"])
def bulk_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, "certification.prepare_bulk_operation")
    kinds = _kinds(request)
    form = BulkOperationForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        kinds=kinds,
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                operation = prepare_bulk_operation(
                    actor=actor_of(request),
                    kind=form.cleaned_data["kind"],
                    numbers=form.list_text(),
                    reason=form.cleaned_data["reason"],
                    conditions=form.cleaned_data["conditions"],
                    deadline=form.cleaned_data["deadline"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.http_status
            else:
                messages.info(
                    request,
                    _("Check the preview, then confirm. Nothing has been done yet."),
                )
                return redirect("certification:bulk-detail", reference=operation.reference)
    return render(request, "certification/bulk_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def migration_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, "certification.migrate_holders")
    form = MigrationForm(
        request.POST if request.method == "POST" else None,
        scheme_ids=_scheme_ids(request, (RoleCode.SCHEME_MANAGER.value,)),
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                operation = prepare_migration(
                    actor=actor_of(request),
                    source_version=form.cleaned_data["source"],
                    target_version=form.cleaned_data["target"],
                    effective_on=form.cleaned_data["effective_on"],
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.http_status
            else:
                messages.info(
                    request,
                    _("Check who moves and who cannot, then confirm. Nothing has been done yet."),
                )
                return redirect("certification:bulk-detail", reference=operation.reference)
    return render(request, "certification/migration_form.html", {"form": form}, status=status)


def _may_run(request: HttpRequest, operation: BulkOperation) -> bool:
    role = ROLE_FOR_KIND[operation.kind]
    return has_role(request.user, role, scheme_id=operation.get_scheme_id())


def _detail_page(request: HttpRequest, operation: BulkOperation, status: int = 200) -> HttpResponse:
    items = selectors.list_bulk_items(operation)
    counts = {
        "total": items.count(),
        "foreseen": items.exclude(foreseen_code="").count(),
        "done": items.filter(outcome=BulkItemOutcome.DONE).count(),
        "refused": items.filter(outcome=BulkItemOutcome.REFUSED).count(),
    }
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    may_run = _may_run(request, operation)
    open_ = operation.status == BulkOperationStatus.PREVIEWED
    return render(
        request,
        "certification/bulk_detail.html",
        {
            "operation": operation,
            "page": page,
            "counts": counts,
            "may_confirm": may_run and open_,
            "may_cancel": may_run
            and operation.status in (BulkOperationStatus.PREVIEWED, BulkOperationStatus.SCHEDULED)
            and operation.executed_at is None,
            "may_run": may_run
            and operation.status == BulkOperationStatus.SCHEDULED
            and (operation.effective_on is None or operation.effective_on <= timezone.localdate()),
            "previewed": open_,
            "may_open_certificates": request.user.has_perm("certification.list_certificates"),
        },
        status=status,
    )


def bulk_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _detail_page(request, _operation_for(request, reference))


def _act(request: HttpRequest, reference: str, act: Any, done: str) -> HttpResponse:
    operation = _operation_for(request, reference)
    if not _may_run(request, operation):
        raise PermissionDenied
    try:
        result = act(operation=operation, actor=actor_of(request))
    except DomainError as error:
        messages.error(request, error.message)
        return _detail_page(request, operation, status=error.http_status)
    if result.status == BulkOperationStatus.SCHEDULED and result.effective_on is not None:
        done = _("Confirmed. The move is carried out on %(date)s; nothing has changed yet.") % {
            "date": result.effective_on.isoformat()
        }
    messages.success(request, done)
    return redirect("certification:bulk-detail", reference=operation.reference)


@require_POST
def bulk_confirm(request: HttpRequest, reference: str) -> HttpResponse:
    if request.POST.get("reviewed") != "on":
        operation = _operation_for(request, reference)
        if not _may_run(request, operation):
            raise PermissionDenied
        messages.error(request, _("Tick the box to confirm that you reviewed the list."))
        return _detail_page(request, operation, status=422)
    return _act(
        request,
        reference,
        confirm_bulk_operation,
        _("Confirmed. Each certificate went through the ordinary checks; see the result below."),
    )


@require_POST
def bulk_run(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(request, reference, run_scheduled_operation, _("The operation has been run."))


@require_POST
def bulk_cancel(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(
        request, reference, cancel_bulk_operation, _("Cancelled. No certificate was changed.")
    )

"""Public scheme pages and the office pages to draft, approve and publish versions.

Thin: parse, check access, call a service, show the result. Public pages are generated from the
published version (clause 7.2, rule 11); earlier publications stay readable.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peritus.accounts.requests import actor_of, require_perm
from peritus.core.errors import DomainError
from peritus.schemes import selectors, services
from peritus.schemes.forms import (
    PART_FORMS,
    PART_TITLES,
    ApprovalForm,
    NewVersionForm,
    ReasonForm,
    SchemeChangeForm,
    SchemeForm,
    VersionForm,
)
from peritus.schemes.models import Scheme, SchemeVersion, SchemeVersionStatus
from peritus.schemes.services import PartKind


def _refused(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, error.message)


# Public ---------------------------------------------------------------------------------------


def scheme_list(request: HttpRequest) -> HttpResponse:
    return render(request, "schemes/public/list.html", {"schemes": selectors.list_public_schemes()})


def scheme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        scheme = selectors.get_scheme_by_slug(slug)
    except Scheme.DoesNotExist:
        raise Http404 from None
    current = selectors.get_current_version(scheme)
    if current is None:
        raise Http404
    version = selectors.get_version_with_parts(current.pk)
    return render(
        request,
        "schemes/public/detail.html",
        {"scheme": scheme, "version": version, "current": True},
    )


def scheme_history(request: HttpRequest, slug: str) -> HttpResponse:
    scheme = get_object_or_404(Scheme, slug=slug)
    versions = selectors.list_public_versions(scheme)
    if not versions:
        raise Http404
    return render(request, "schemes/public/history.html", {"scheme": scheme, "versions": versions})


def scheme_version_public(request: HttpRequest, slug: str, version_id: int) -> HttpResponse:
    scheme = get_object_or_404(Scheme, slug=slug)
    try:
        version = selectors.get_version_with_parts(version_id)
    except SchemeVersion.DoesNotExist:
        raise Http404 from None
    if version.scheme_id != scheme.pk or version.status not in (
        SchemeVersionStatus.PUBLISHED,
        SchemeVersionStatus.RETIRED,
    ):
        raise Http404
    return render(
        request,
        "schemes/public/detail.html",
        {"scheme": scheme, "version": version,
         "current": version.status == SchemeVersionStatus.PUBLISHED},
    )  # fmt: skip


# Office ---------------------------------------------------------------------------------------


def office_scheme_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "schemes.view_office_schemes")
    return render(
        request,
        "schemes/office/scheme_list.html",
        {"schemes": selectors.list_schemes_with_status(),
         "may_add": request.user.has_perm("schemes.add_scheme")},
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def office_scheme_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, "schemes.add_scheme")
    form = SchemeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            scheme = services.create_scheme(actor=actor_of(request), **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Scheme created. Draft its first version."))
            return redirect("schemes:office-scheme-detail", scheme.slug)
    return render(request, "schemes/office/scheme_form.html", {"form": form})


def _office_scheme(request: HttpRequest, slug: str) -> Scheme:
    require_perm(request, "schemes.view_office_schemes")
    scheme = get_object_or_404(Scheme, slug=slug)
    require_perm(request, "schemes.view_office_schemes", scheme)
    return scheme


@require_http_methods(["GET", "POST"])
def office_scheme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    scheme = _office_scheme(request, slug)
    may_change = request.user.has_perm("schemes.change_scheme", scheme)
    form = SchemeChangeForm(request.POST or None, instance=scheme) if may_change else None
    if request.method == "POST":
        require_perm(request, "schemes.change_scheme", scheme)
        assert form is not None
        if form.is_valid():
            try:
                services.change_scheme(
                    actor=actor_of(request), scheme=scheme, values=form.cleaned_data
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Scheme saved."))
                return redirect("schemes:office-scheme-detail", scheme.slug)
    return render(
        request,
        "schemes/office/scheme_detail.html",
        {"scheme": scheme, "versions": selectors.list_versions(scheme), "form": form,
         "new_version_form": NewVersionForm(),
         "may_draft": request.user.has_perm("schemes.add_scheme_version", scheme),
         "current": selectors.get_current_version(scheme)},
    )  # fmt: skip


@require_POST
def office_version_create(request: HttpRequest, slug: str) -> HttpResponse:
    scheme = _office_scheme(request, slug)
    require_perm(request, "schemes.add_scheme_version", scheme)
    form = NewVersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the new version a label."))
        return redirect("schemes:office-scheme-detail", scheme.slug)
    current = selectors.get_current_version(scheme)
    try:
        if current is not None:
            version = services.draft_version_from(
                actor=actor_of(request), source=current, version=form.cleaned_data["version"]
            )
        else:
            version = services.draft_version(
                actor=actor_of(request), scheme=scheme, version=form.cleaned_data["version"]
            )
    except DomainError as error:
        _refused(request, error)
        return redirect("schemes:office-scheme-detail", scheme.slug)
    messages.success(request, _("Version %(version)s drafted.") % {"version": version.version})
    return redirect("schemes:office-version-detail", scheme.slug, version.pk)


def _office_version(request: HttpRequest, slug: str, version_id: int) -> SchemeVersion:
    scheme = _office_scheme(request, slug)
    try:
        version = selectors.get_version_with_parts(version_id)
    except SchemeVersion.DoesNotExist:
        raise Http404 from None
    if version.scheme_id != scheme.pk:
        raise Http404
    return version


def office_version_detail(request: HttpRequest, slug: str, version_id: int) -> HttpResponse:
    version = _office_version(request, slug, version_id)
    user = request.user
    return render(
        request,
        "schemes/office/version_detail.html",
        {
            "scheme": version.scheme,
            "version": version,
            "missing": selectors.list_missing_parts(version),
            "may_edit": user.has_perm("schemes.change_scheme_version", version),
            "may_approve": user.has_perm("schemes.approve_scheme_version", version),
            "may_reopen": user.has_perm("schemes.reopen_scheme_version", version),
            "may_publish": user.has_perm("schemes.publish_scheme_version", version),
            "may_retire": user.has_perm("schemes.retire_scheme_version", version),
            "is_contributor": version.created_by_id == user.pk
            or any(c.pk == user.pk for c in version.contributors.all()),
            "approval_form": ApprovalForm(),
            "reason_form": ReasonForm(),
            "part_kinds": PartKind,
        },
    )


@require_http_methods(["GET", "POST"])
def office_version_edit(request: HttpRequest, slug: str, version_id: int) -> HttpResponse:
    version = _office_version(request, slug, version_id)
    require_perm(request, "schemes.change_scheme_version", version)
    form = VersionForm(request.POST or None, instance=version)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_version(
                actor=actor_of(request), version=version, values=form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Version saved."))
            return redirect("schemes:office-version-detail", slug, version.pk)
    return render(
        request,
        "schemes/office/version_form.html",
        {"scheme": version.scheme, "version": version, "form": form},
    )


@require_http_methods(["GET", "POST"])
def office_part_edit(
    request: HttpRequest, slug: str, version_id: int, kind: str, part_id: int | None = None
) -> HttpResponse:
    version = _office_version(request, slug, version_id)
    require_perm(request, "schemes.change_scheme_version", version)
    try:
        part_kind = PartKind(kind)
    except ValueError:
        raise Http404 from None
    instance = None
    if part_id is not None:
        try:
            instance = services.get_part(version, part_kind, part_id)
        except DomainError:
            raise Http404 from None
    form_class = PART_FORMS[part_kind]
    extra: dict[str, Any] = (
        {"version": version}
        if part_kind in (PartKind.COMPETENCE_TASK, PartKind.PREREQUISITE)
        else {}
    )
    form = form_class(request.POST or None, instance=instance, **extra)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_part(
                actor=actor_of(request), version=version, kind=part_kind,
                values=form.cleaned_data, part_id=part_id,
            )  # fmt: skip
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("schemes:office-version-detail", slug, version.pk)
    return render(
        request,
        "schemes/office/part_form.html",
        {"scheme": version.scheme, "version": version, "form": form, "part_title": PART_TITLES[part_kind],
         "is_new": part_id is None},
    )  # fmt: skip


@require_POST
def office_part_remove(
    request: HttpRequest, slug: str, version_id: int, kind: str, part_id: int
) -> HttpResponse:
    version = _office_version(request, slug, version_id)
    require_perm(request, "schemes.change_scheme_version", version)
    try:
        part_kind = PartKind(kind)
    except ValueError:
        raise Http404 from None
    try:
        services.remove_part(
            actor=actor_of(request), version=version, kind=part_kind, part_id=part_id
        )
    except DomainError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Removed."))
    return redirect("schemes:office-version-detail", slug, version.pk)


@require_POST
def office_version_transition(
    request: HttpRequest, slug: str, version_id: int, action: str
) -> HttpResponse:
    version = _office_version(request, slug, version_id)
    actor = actor_of(request)
    try:
        if action == "approval":
            require_perm(request, "schemes.approve_scheme_version", version)
            approval = ApprovalForm(request.POST)
            approval.is_valid()
            services.approve_version(
                actor=actor, version=version,
                approval_reference=approval.cleaned_data.get("approval_reference", ""),
                note=approval.cleaned_data.get("note", ""),
            )  # fmt: skip
            messages.success(request, _("Version approved for the scheme committee."))
        elif action in ("reopening", "retirement"):
            perm = "reopen" if action == "reopening" else "retire"
            require_perm(request, f"schemes.{perm}_scheme_version", version)
            reason_form = ReasonForm(request.POST)
            reason = reason_form.cleaned_data["reason"] if reason_form.is_valid() else ""
            if action == "reopening":
                services.reopen_version(actor=actor, version=version, reason=reason)
                messages.success(request, _("Version returned to draft."))
            else:
                services.retire_version(actor=actor, version=version, reason=reason)
                messages.success(
                    request, _("Version retired: the scheme takes no new applications.")
                )
        elif action == "publication":
            require_perm(request, "schemes.publish_scheme_version", version)
            services.publish_version(actor=actor, version=version)
            messages.success(request, _("Version published. The public page shows it now."))
        else:
            raise Http404
    except DomainError as error:
        _refused(request, error)
    return redirect("schemes:office-version-detail", slug, version.pk)

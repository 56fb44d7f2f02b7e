"""Pages for decisions about an issued certificate (9.5): suspend, extend a suspension, reinstate,
withdraw, reduce the scope, and the holder's voluntary surrender.

Each is a form, then a confirmation page that repeats what will happen, then the service. The
pages show ahead why the viewer may not act (the same reads the services use: status and
independence from the holder), but the services are what block; their refusals are shown beside
the form and nothing changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from peritus.accounts.requests import actor_of, require_perm
from peritus.accounts.roles import RoleCode
from peritus.applications.selectors import visible_scheme_ids
from peritus.certification import selectors
from peritus.certification.forms import (
    ExtendSuspensionForm,
    ReduceScopeForm,
    ReinstateForm,
    SurrenderForm,
    SuspendForm,
    WithdrawForm,
)
from peritus.certification.lifecycle_checks import holder_involvements, status_allows
from peritus.certification.models import Certificate
from peritus.certification.services import (
    extend_suspension,
    reduce_scope,
    reinstate_certificate,
    surrender_certificate,
    suspend_certificate,
    withdraw_certificate,
)
from peritus.certification.views.office import _certificate_for
from peritus.certification.views.portal import _own_certificate
from peritus.core.errors import DomainError
from peritus.schemes.models import ScopeItem

Summary = list[tuple[str, str]]
LIST_LIMIT = 500


def obstacles(user: Any, certificate: Certificate, action: str) -> list[str]:
    """Why `user` may not take `action` on `certificate` now (empty: nothing stands in the way).

    The holder's own act (surrender) has no independence check.
    """
    today = timezone.localdate()
    found = []
    if action != "surrender":
        found = [obstacle.message for obstacle in holder_involvements(user, certificate, on=today)]
    check = status_allows(certificate, action, today=today)
    if not check.allowed:
        found.append(check.message)
    return found


def _date(value: dt.date) -> str:
    return str(formats.date_format(value, "Y-m-d"))


def _codes(items: Sequence[ScopeItem]) -> str:
    return ", ".join(f"{item.code} {item.title}" for item in items)


def _flow(
    request: HttpRequest,
    certificate: Certificate,
    *,
    action: str,
    form: forms.Form,
    page: dict[str, Any],
    summary: Callable[[dict[str, Any]], Summary],
    perform: Callable[[dict[str, Any]], str],
    back_url: str,
    portal: bool = False,
) -> HttpResponse:
    """Form → confirmation → service; a refusal re-shows the form with the service's message."""
    context: dict[str, Any] = {
        "certificate": certificate,
        "public": certificate.public_status(),
        "form": form,
        "obstacles": obstacles(request.user, certificate, action),
        "back_url": back_url,
        "base_template": "portal_base.html" if portal else "office_base.html",
        **page,
    }
    if request.method == "POST" and form.is_valid() and "edit" not in request.POST:
        if "confirm" in request.POST:
            try:
                done = perform(form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
                context["refusal_code"] = error.code
                return render(
                    request,
                    "certification/lifecycle_form.html",
                    context,
                    status=error.http_status,
                )
            messages.success(request, done)
            return redirect(back_url)
        context["summary"] = summary(form.cleaned_data)
        return render(request, "certification/lifecycle_confirm.html", context)
    return render(
        request,
        "certification/lifecycle_form.html",
        context,
        status=422 if form.errors else 200,
    )


def _decision_certificate(request: HttpRequest, number: str) -> Certificate:
    """The certificate if the viewer may see it (else 404) and decide about it (else 403)."""
    certificate = _certificate_for(request, number)
    require_perm(request, "certification.decide_lifecycle", certificate)
    return certificate


def _office_back(certificate: Certificate) -> str:
    return reverse("certification:certificate-detail", kwargs={"number": certificate.number})


def _bound(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


@require_http_methods(["GET", "POST"])
def certificate_suspend(request: HttpRequest, number: str) -> HttpResponse:
    certificate = _decision_certificate(request, number)

    def summary(data: dict[str, Any]) -> Summary:
        return [
            (_("Reasons"), data["reason"]),
            (_("Conditions for reinstatement"), data["conditions"]),
            (_("Deadline"), _date(data["deadline"])),
        ]

    def perform(data: dict[str, Any]) -> str:
        suspend_certificate(
            certificate=certificate,
            actor=actor_of(request),
            reason=data["reason"],
            conditions=data["conditions"],
            deadline=data["deadline"],
        )
        return _(
            "Certificate %(number)s is suspended until %(deadline)s at the latest. The holder "
            "is notified and the public status shows the suspension now."
        ) % {"number": certificate.number, "deadline": _date(data["deadline"])}

    return _flow(
        request,
        certificate,
        action="suspend",
        form=SuspendForm(_bound(request)),
        page={
            "title": _("Suspend the certificate"),
            "intro": _(
                "The certificate shows as suspended to the public from today. The holder is told "
                "the reasons, the conditions for reinstatement, the deadline, that they must not "
                "use the certificate or the marks meanwhile, and how to appeal."
            ),
            "confirm_label": _("Suspend the certificate"),
            "danger": True,
        },
        summary=summary,
        perform=perform,
        back_url=_office_back(certificate),
    )


@require_http_methods(["GET", "POST"])
def certificate_extend_suspension(request: HttpRequest, number: str) -> HttpResponse:
    certificate = _decision_certificate(request, number)
    suspension = selectors.get_open_suspension(certificate)

    def summary(data: dict[str, Any]) -> Summary:
        rows = [(_("New deadline"), _date(data["deadline"])), (_("Reasons"), data["reason"])]
        if suspension is not None:
            rows.insert(0, (_("Current deadline"), _date(suspension.deadline)))
        return rows

    def perform(data: dict[str, Any]) -> str:
        extend_suspension(
            certificate=certificate,
            actor=actor_of(request),
            deadline=data["deadline"],
            reason=data["reason"],
        )
        return _("The deadline of the suspension is now %(deadline)s; the holder is notified.") % {
            "deadline": _date(data["deadline"])
        }

    return _flow(
        request,
        certificate,
        action="extend_suspension",
        form=ExtendSuspensionForm(_bound(request)),
        page={
            "title": _("Extend the suspension"),
            "intro": _(
                "The certificate stays suspended under the same conditions; only the deadline "
                "moves. A withdrawal already proposed for the old deadline is set aside."
            ),
            "confirm_label": _("Extend the deadline"),
            "suspension": suspension,
        },
        summary=summary,
        perform=perform,
        back_url=_office_back(certificate),
    )


@require_http_methods(["GET", "POST"])
def certificate_reinstate(request: HttpRequest, number: str) -> HttpResponse:
    certificate = _decision_certificate(request, number)

    def summary(data: dict[str, Any]) -> Summary:
        return [(_("How the conditions were met"), data["rationale"])]

    def perform(data: dict[str, Any]) -> str:
        reinstate_certificate(
            certificate=certificate, actor=actor_of(request), rationale=data["rationale"]
        )
        return _(
            "Certificate %(number)s is reinstated: valid again from today. The holder is notified."
        ) % {"number": certificate.number}

    return _flow(
        request,
        certificate,
        action="reinstate",
        form=ReinstateForm(_bound(request)),
        page={
            "title": _("Reinstate the certificate"),
            "intro": _(
                "Reinstate only when the conditions set at the suspension are met. The public "
                "status shows the certificate as valid again from today."
            ),
            "confirm_label": _("Reinstate the certificate"),
            "suspension": selectors.get_open_suspension(certificate),
        },
        summary=summary,
        perform=perform,
        back_url=_office_back(certificate),
    )


@require_http_methods(["GET", "POST"])
def certificate_withdraw(request: HttpRequest, number: str) -> HttpResponse:
    certificate = _decision_certificate(request, number)

    def summary(data: dict[str, Any]) -> Summary:
        return [
            (_("Reasons"), data["reason"]),
            (
                _("The notice says"),
                _(
                    "The holder must stop using the certificate and the marks at once and must "
                    "no longer claim certification; they may appeal."
                ),
            ),
        ]

    def perform(data: dict[str, Any]) -> str:
        withdraw_certificate(
            certificate=certificate, actor=actor_of(request), reason=data["reason"]
        )
        return _(
            "Certificate %(number)s is withdrawn. The holder is told to stop using it and the "
            "marks; the public status shows the withdrawal now."
        ) % {"number": certificate.number}

    return _flow(
        request,
        certificate,
        action="withdraw",
        form=WithdrawForm(_bound(request)),
        page={
            "title": _("Withdraw the certificate"),
            "intro": _(
                "Withdrawal is final: the certificate cannot be reinstated, only a new "
                "certification can follow. The public status shows it as withdrawn from today."
            ),
            "confirm_label": _("Withdraw the certificate"),
            "danger": True,
            "suspension": selectors.get_open_suspension(certificate),
        },
        summary=summary,
        perform=perform,
        back_url=_office_back(certificate),
    )


@require_http_methods(["GET", "POST"])
def certificate_reduce_scope(request: HttpRequest, number: str) -> HttpResponse:
    certificate = _decision_certificate(request, number)
    held = certificate.scope_items.order_by("position", "code")

    def kept(data: dict[str, Any]) -> list[ScopeItem]:
        removed = {item.pk for item in data["removed"]}
        return [item for item in held if item.pk not in removed]

    def summary(data: dict[str, Any]) -> Summary:
        return [
            (_("Removed"), _codes(list(data["removed"]))),
            (_("Kept"), _codes(kept(data)) or _("Nothing (refused: withdraw instead)")),
            (_("Reasons"), data["reason"]),
        ]

    def perform(data: dict[str, Any]) -> str:
        reduced = reduce_scope(
            certificate=certificate,
            actor=actor_of(request),
            scope_items_kept=kept(data),
            reason=data["reason"],
        )
        return _(
            "The scope of %(number)s is reduced and revision %(revision)s is issued. The holder "
            "is notified."
        ) % {"number": reduced.number, "revision": reduced.revision}

    return _flow(
        request,
        certificate,
        action="reduce_scope",
        form=ReduceScopeForm(_bound(request), held=held),
        page={
            "title": _("Reduce the scope"),
            "intro": _(
                "The certificate is reissued under the same number with the scope that remains; "
                "the current revision becomes superseded. On a suspended certificate, the "
                "reduction ends the suspension."
            ),
            "confirm_label": _("Reduce the scope and reissue"),
            "danger": True,
        },
        summary=summary,
        perform=perform,
        back_url=_office_back(certificate),
    )


@require_http_methods(["GET", "POST"])
def portal_certificate_surrender(request: HttpRequest, number: str) -> HttpResponse:
    certificate = _own_certificate(request, number)
    require_perm(request, "certification.surrender_certificate", certificate)

    def summary(data: dict[str, Any]) -> Summary:
        return [
            (_("Certificate"), certificate.number),
            (_("Your reason"), data["reason"] or _("None given")),
            (_("From"), _date(timezone.localdate())),
        ]

    def perform(data: dict[str, Any]) -> str:
        surrender_certificate(
            certificate=certificate,
            actor=actor_of(request),
            reason=data["reason"],
            confirmed=bool(data["understood"]),
        )
        return _(
            "You have surrendered certificate %(number)s. It shows as withdrawn from today; "
            "we have sent you a confirmation."
        ) % {"number": certificate.number}

    return _flow(
        request,
        certificate,
        action="surrender",
        form=SurrenderForm(_bound(request)),
        page={
            "title": _("Give up this certificate"),
            "intro": _(
                "If you no longer want to be certified, you can give the certificate up. From "
                "today it shows as withdrawn to anyone who checks it, and you must stop using "
                "it and the marks. This cannot be undone: to be certified again you would apply "
                "again."
            ),
            "confirm_label": _("Give up the certificate"),
            "danger": True,
        },
        summary=summary,
        perform=perform,
        back_url=reverse(
            "certification:portal-certificate-detail", kwargs={"number": certificate.number}
        ),
        portal=True,
    )


def suspension_list(request: HttpRequest) -> HttpResponse:
    """Open suspensions for the decision makers: past their deadline (withdrawal or a reduction
    proposed) first, then the rest by nearest deadline."""
    require_perm(request, "certification.decide_lifecycle")
    scheme_ids = visible_scheme_ids(request.user, (RoleCode.DECISION_MAKER.value,))
    return render(
        request,
        "certification/suspension_list.html",
        {
            "proposed": selectors.list_open_suspensions(scheme_ids=scheme_ids, proposed=True)[
                :LIST_LIMIT
            ],
            "running": selectors.list_open_suspensions(scheme_ids=scheme_ids, proposed=False)[
                :LIST_LIMIT
            ],
            "today": timezone.localdate(),
        },
    )

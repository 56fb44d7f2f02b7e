"""The audit trail in the back office: browse, filter, open one event, see the chain's health."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from peritus.audit_trail.models import AuditEvent
from peritus.audit_trail.registry import describe, event_sentences
from peritus.audit_trail.selectors import list_events
from peritus.scheduling.models import JobRun


class AuditFilterForm(forms.Form):
    event_type = forms.ChoiceField(label=_("Event"), required=False)
    actor_email = forms.EmailField(label=_("Actor's email"), required=False)
    record_type = forms.CharField(
        label=_("Record type"), required=False, help_text=_("e.g. certification.certificate")
    )
    record_id = forms.CharField(label=_("Record id"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices = sorted(event_sentences().items(), key=lambda item: item[1])
        self.fields["event_type"].choices = [("", _("All events")), *choices]  # type: ignore[attr-defined]


def _require_audit_access(request: HttpRequest) -> None:
    if not request.user.has_perm("audit_trail.view_events"):
        raise PermissionDenied(
            _("The audit trail is open to quality, audit, assessment and administration roles.")
        )


def audit_trail(request: HttpRequest) -> HttpResponse:
    _require_audit_access(request)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = list_events(**{key: value for key, value in filters.items() if value})
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    last_check = (
        JobRun.objects.filter(job_name="audit-chain-verification").order_by("-started_at").first()
    )
    return render(
        request,
        "web/audit/trail.html",
        {"form": form, "page": page, "last_check": last_check, "describe": describe},
    )


def audit_event(request: HttpRequest, sequence: int) -> HttpResponse:
    _require_audit_access(request)
    event = AuditEvent.objects.select_related("actor").filter(sequence=sequence).first()
    if event is None:
        raise Http404
    links = event.links.all()
    return render(
        request,
        "web/audit/event.html",
        {"event": event, "sentence": describe(event.event_type), "links": links},
    )

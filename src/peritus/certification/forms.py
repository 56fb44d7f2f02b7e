from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peritus.applications.models import Application
from peritus.certification.models import CertificateStatus, DecisionOutcome, ReissueReason
from peritus.schemes.models import ScopeItem


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=DecisionOutcome.choices, widget=forms.RadioSelect
    )
    scope_items = forms.ModelMultipleChoiceField(
        label=_("Scope granted"),
        queryset=ScopeItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For a grant: the scope items the evidence supports."),
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=_(
            "The reasons, as the candidate will read them. A refusal tells them of their right to "
            "appeal."
        ),
    )

    def __init__(self, *args: Any, application: Application, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        requested = application.requested_scope.all()
        queryset = requested if requested.exists() else application.scheme_version.scope_items.all()
        field = self.fields["scope_items"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = queryset.order_by("position", "code")
        if not self.is_bound:
            self.initial.setdefault("scope_items", list(field.queryset))


class IssueForm(forms.Form):
    valid_from = forms.DateField(
        label=_("Effective from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: today. Never before the decision."),
    )


class BulkIssueForm(forms.Form):
    decisions = forms.MultipleChoiceField(label=_("Decisions"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["decisions"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = choices


class ReissueForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why"),
        choices=[
            (ReissueReason.NAME_CHANGE, ReissueReason.NAME_CHANGE.label),
            (ReissueReason.CORRECTION, ReissueReason.CORRECTION.label),
        ],
    )
    note = forms.CharField(
        label=_("What changes and on what evidence"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class TermsForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I have read these rules and I accept them."),
        required=True,
    )


class CertificateSearchForm(forms.Form):
    q = forms.CharField(label=_("Number or name"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *CertificateStatus.choices],
    )

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from peritus.compliance.models import Conclusion, FlagStatus


class FlagFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *FlagStatus.choices], required=False
    )


class ReviewForm(forms.Form):
    conclusion = forms.ChoiceField(
        label=_("Conclusion"), choices=Conclusion.choices, widget=forms.RadioSelect
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What you looked at, and why the decision does or does not raise a concern."),
    )
    raise_action = forms.BooleanField(
        label=_("Raise a corrective action (only on a concern)"), required=False
    )
    action_due_on = forms.DateField(
        label=_("Corrective action to be closed by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Default: in 30 days."),
    )

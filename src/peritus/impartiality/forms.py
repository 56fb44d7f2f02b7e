"""Forms of the impartiality pages. They parse input only; the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peritus.accounts.models import Person, RoleAssignment, User
from peritus.impartiality.models import (
    ConflictNature,
    ImpartialityRisk,
    MitigationKind,
    RiskReview,
    ThreatSource,
)


class DateInput(forms.DateInput):
    input_type = "date"


class DeclarationFilterForm(forms.Form):
    CONFLICT_CHOICES = (
        ("", _("All declarations")),
        ("yes", _("Conflicts")),
        ("no", _("No conflict")),
        ("awaiting", _("Conflicts awaiting a mitigation")),
    )
    show = forms.ChoiceField(label=_("Show"), choices=CONFLICT_CHOICES, required=False)
    nature = forms.ChoiceField(
        label=_("Nature"), choices=[("", _("Any")), *ConflictNature.choices], required=False
    )


class MitigationProposalForm(forms.Form):
    kind = forms.ChoiceField(label=_("Measure"), choices=MitigationKind.choices)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What will be done and how it keeps the assessment impartial."),
    )


class MitigationDecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required when you reject the measure."),
    )


def personnel_users() -> Any:
    return User.objects.filter(
        pk__in=RoleAssignment.objects.current().values("user_id"), is_active=True
    ).order_by("family_name", "given_names")


class TrainingRecordForm(forms.Form):
    trainer = forms.ModelChoiceField(label=_("Trainer"), queryset=User.objects.none())
    person_email = forms.EmailField(
        label=_("Trained person's email address"),
        help_text=_("The email address on the person's record."),
    )
    course = forms.CharField(label=_("Course"), max_length=200)
    provider = forms.CharField(label=_("Training provider"), max_length=200, required=False)
    started_on = forms.DateField(label=_("Start date"), widget=DateInput)
    ended_on = forms.DateField(
        label=_("End date"), widget=DateInput, required=False, help_text=_("Empty: ongoing")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["trainer"].queryset = personnel_users()  # type: ignore[attr-defined]

    def clean_person_email(self) -> Person:
        email = self.cleaned_data["person_email"].strip().lower()
        persons = list(Person.objects.filter(email=email)[:2])
        if not persons:
            raise forms.ValidationError(_("No person record has this email address."))
        if len(persons) > 1:
            raise forms.ValidationError(
                _("Several person records share this email address; ask an officer to merge them.")
            )
        return persons[0]


class RiskForm(forms.ModelForm[ImpartialityRisk]):
    source = forms.ChoiceField(label=_("Source"), choices=ThreatSource.choices)
    likelihood = forms.TypedChoiceField(
        label=_("Likelihood"), coerce=int, choices=[(n, str(n)) for n in range(1, 6)]
    )
    impact = forms.TypedChoiceField(
        label=_("Impact"), coerce=int, choices=[(n, str(n)) for n in range(1, 6)]
    )

    class Meta:
        model = ImpartialityRisk
        fields = ["threat", "source", "description", "likelihood", "impact", "controls", "owner",
                  "review_due_on"]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "controls": forms.Textarea(attrs={"rows": 3}),
            "review_due_on": DateInput,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = personnel_users()  # type: ignore[attr-defined]


class RiskReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class RiskReviewForm(forms.Form):
    conclusion = forms.ChoiceField(label=_("Conclusion"), choices=RiskReview.Conclusion.choices)
    notes = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 3}))
    next_review_on = forms.DateField(label=_("Next review"), widget=DateInput)

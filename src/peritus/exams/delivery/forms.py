"""Forms of exam delivery: parse and label; the rules live in the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peritus.applications.models import Application
from peritus.exams.models import IdentityDocument, IncidentKind, KeyDecisionChoice
from peritus.itembank.models import ExamForm
from peritus.schemes.models import AssessmentComponent


class SessionForm(forms.Form):
    component = forms.ModelChoiceField(
        label=_("Exam component"), queryset=AssessmentComponent.objects.none()
    )
    form = forms.ModelChoiceField(
        label=_("Approved form"),
        queryset=ExamForm.objects.none(),
        help_text=_("Only approved (frozen) forms with a cut score go live"),
    )
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=1,
        max_value=600,
        required=False,
        help_text=_("Empty: the blueprint's time limit"),
    )
    booking_closes_at = forms.DateTimeField(
        label=_("Booking closes at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Empty: 24 hours before the start"),
    )
    late_start_minutes = forms.IntegerField(
        label=_("Candidates may start up to (minutes after the start)"),
        min_value=0,
        max_value=240,
        initial=30,
    )
    location = forms.CharField(
        label=_("How candidates join"),
        max_length=300,
        initial=_("Online, from the candidate portal; invigilated by video"),
    )
    capacity = forms.IntegerField(label=_("Seats"), min_value=1, max_value=5000, initial=30)
    shuffle_items = forms.BooleanField(
        label=_("Shuffle the items per candidate"), required=False, initial=True
    )
    shuffle_options = forms.BooleanField(
        label=_("Shuffle the options per candidate (where the item allows it)"),
        required=False,
        initial=True,
    )
    double_marking = forms.BooleanField(
        label=_("Extended responses are marked twice"), required=False
    )

    def __init__(
        self,
        *args: Any,
        components: QuerySet[AssessmentComponent],
        exam_forms: QuerySet[ExamForm],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["component"].queryset = components  # type: ignore[attr-defined]
        self.fields["form"].queryset = exam_forms  # type: ignore[attr-defined]

    def clean_starts_at(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["starts_at"]
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value


class AssignSeatForm(forms.Form):
    application = forms.ModelChoiceField(
        label=_("Eligible candidate"), queryset=Application.objects.none()
    )

    def __init__(self, *args: Any, applications: QuerySet[Application], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["application"]
        field.queryset = applications  # type: ignore[attr-defined]
        field.label_from_instance = lambda a: f"{a.person} ({a.reference})"  # type: ignore[attr-defined]


class CheckInForm(forms.Form):
    accept_rules = forms.BooleanField(
        label=_("I have read the exam rules and will follow them"), required=True
    )
    accept_nda = forms.BooleanField(
        label=_("I accept the non-disclosure agreement: I will not share any exam content"),
        required=True,
    )


class IdentityForm(forms.Form):
    document = forms.ChoiceField(
        label=_("Identity document seen"), choices=IdentityDocument.choices
    )


class AddTimeForm(forms.Form):
    minutes = forms.IntegerField(label=_("Minutes to add"), min_value=1, max_value=120, initial=5)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class IncidentForm(forms.Form):
    attempt = forms.ChoiceField(label=_("Candidate"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=IncidentKind.choices)
    notes = forms.CharField(
        label=_("What happened, and what was done"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, attempts: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attempt"].choices = [("", _("The whole session")), *attempts]  # type: ignore[attr-defined]


class RubricMarkForm(forms.Form):
    score = forms.DecimalField(label=_("Score"), min_value=0, decimal_places=2, max_digits=8)
    notes = forms.CharField(
        label=_("Notes against the rubric"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AdjudicationForm(forms.Form):
    score = forms.DecimalField(label=_("Decided score"), min_value=0, decimal_places=2)
    notes = forms.CharField(label=_("Why this score"), widget=forms.Textarea(attrs={"rows": 3}))


class KeyDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=KeyDecisionChoice.choices, widget=forms.RadioSelect
    )
    new_key = forms.MultipleChoiceField(
        label=_("Corrected key (re-key only)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, option_ids: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_key"].choices = option_ids  # type: ignore[attr-defined]


class AddFindingForm(forms.Form):
    entry = forms.ChoiceField(label=_("Item"))
    reason = forms.CharField(label=_("Why review its key"), max_length=1000)

    def __init__(self, *args: Any, entries: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = entries  # type: ignore[attr-defined]

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peritus.recertification.models import AuditVerdict, CpdActivity, SubmissionFile
from peritus.recertification.schedule import Rules

DATE = forms.DateInput(attrs={"type": "date"})


class CpdForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"))
    title = forms.CharField(label=_("Activity"), max_length=200)
    provider = forms.CharField(label=_("Provider"), max_length=200, required=False)
    completed_on = forms.DateField(label=_("Completed on"), widget=DATE)
    hours = forms.DecimalField(
        label=_("Hours"), min_value=0.5, max_value=200, decimal_places=1, max_digits=5
    )
    description = forms.CharField(
        label=_("What you learned or did"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )
    evidence = forms.FileField(
        label=_("Evidence"),
        help_text=_("A certificate of attendance or similar: PDF, PNG or JPEG."),
    )

    def __init__(self, *args: Any, rules: Rules, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(category.code, category.name) for category in rules.categories]


class SubmissionForm(forms.Form):
    declared = forms.BooleanField(label=_("I make this declaration"), required=False)
    work_log = forms.CharField(
        label=_("Work log"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=20000,
        help_text=_("The work you did within the scope of your certificate in this period."),
    )
    statement = forms.CharField(
        label=_("Anything else the reviewer should know"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    evidence_kind = forms.ChoiceField(
        label=_("The attached file is"), choices=SubmissionFile.Kind.choices, required=False
    )
    evidence = forms.FileField(
        label=_("Evidence file"), required=False, help_text=_("PDF, PNG or JPEG.")
    )


class ReviewForm(forms.Form):
    positive = forms.TypedChoiceField(
        label=_("Outcome"),
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    findings = forms.CharField(
        label=_("What you checked and found"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )

    def __init__(
        self, *args: Any, activities: list[CpdActivity], recertification: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["positive"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = (
            [("yes", _("Evidence complete: recommend")), ("no", _("Do not recommend"))]
            if recertification
            else [("yes", _("Accept the surveillance")), ("no", _("Refuse the surveillance"))]
        )
        self.activities = activities
        for activity in activities:
            self.fields[f"verdict_{activity.pk}"] = forms.ChoiceField(
                label=_("Evidence of “%(title)s” (%(hours)s h)")
                % {"title": activity.title, "hours": activity.hours},
                choices=[("", _("Not checked")), *AuditVerdict.choices[1:]],
                required=False,
            )

    def verdicts(self) -> dict[int, str]:
        return {
            activity.pk: self.cleaned_data.get(f"verdict_{activity.pk}") or ""
            for activity in self.activities
        }


class DecisionForm(forms.Form):
    grant = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Recertify")), ("no", _("Refuse recertification"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    rationale = forms.CharField(
        label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )


class SuspensionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reasons for the suspension"), widget=forms.Textarea(attrs={"rows": 3})
    )
    conditions = forms.CharField(
        label=_("Conditions for reinstatement"), widget=forms.Textarea(attrs={"rows": 3})
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)


class PolicyForm(forms.Form):
    categories = forms.CharField(
        label=_("CPD categories"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_(
            "One a line: code | name | hours needed per cycle, e.g. “ethics | Ethics | 2”. "
            "Empty: one general category with the scheme's hours per cycle."
        ),
    )
    declaration_text = forms.CharField(
        label=_("Declaration of continued practice"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    work_log_required = forms.BooleanField(label=_("A work log is required"), required=False)
    reexamination_required = forms.BooleanField(
        label=_("Recertification needs a re-examination result"), required=False
    )
    spot_check_percent = forms.DecimalField(
        label=_("Share of submissions sampled for audit (%)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        max_digits=5,
    )
    grace_period_days = forms.IntegerField(
        label=_("Grace period after expiry (days)"), min_value=0, max_value=365
    )
    surveillance_notice_days = forms.IntegerField(
        label=_("Surveillance opens (days before it is due)"), min_value=0, max_value=365
    )
    self_declared_justification = forms.CharField(
        label=_("Why self-declared evidence suffices (when nothing else is asked)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def clean_categories(self) -> list[tuple[str, str, Decimal]]:
        rows: list[tuple[str, str, Decimal]] = []
        for number, line in enumerate(str(self.cleaned_data["categories"]).splitlines(), 1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            try:
                code, name, hours = parts
                value = Decimal(hours)
            except (ValueError, InvalidOperation):
                raise forms.ValidationError(
                    _("Line %(n)s: write code | name | hours."), params={"n": number}
                ) from None
            if not code or not name or value < 0:
                raise forms.ValidationError(
                    _("Line %(n)s: write code | name | hours."), params={"n": number}
                )
            rows.append((code, name, value))
        return rows

"""Forms of the exam statistics and standard-setting pages. They parse; services hold the rules."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, override

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peritus.accounts.models import User
from peritus.itembank.statistics.models import (
    AnalysisModel,
    DifGrouping,
    FindingAction,
    FormAnalysis,
    ReviewConclusion,
)
from peritus.itembank.statistics.services import FindingInput

MAX_SHEET_BYTES = 5 * 1024 * 1024
IDENTIFIERS_HELP = _("Item identifiers separated by commas")


class AnswerSheetsForm(forms.Form):
    sheets = forms.FileField(
        label=_("Answer sheets (CSV)"),
        help_text=_(
            "Header candidate_id, then one column per item identifier of the form; one row per "
            "sheet with the option letters marked (A, B, …; several letters for multiple-response "
            "items; whole-number scores for marked items; empty when omitted). A candidate_id "
            "that is an application reference links the sheet to that application."
        ),
    )
    administered_on = forms.DateField(
        label=_("Date of the sitting"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(
        label=_("Reference"), required=False, max_length=80,
        help_text=_("The session or the batch of sheets, for the record"),
    )  # fmt: skip

    def clean_sheets(self) -> Any:
        upload = self.cleaned_data["sheets"]
        if upload.size > MAX_SHEET_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class AnalysisForm(forms.Form):
    model = forms.ChoiceField(
        label=_("IRT model"), choices=AnalysisModel.choices, initial=AnalysisModel.AUTO
    )
    dif_grouping = forms.ChoiceField(
        label=_("Differential item functioning (DIF) by"),
        choices=DifGrouping.choices,
        initial=DifGrouping.NONE,
    )


class PolicyForm(forms.Form):
    interval_months = forms.IntegerField(
        label=_("Review every so many months"), required=False, min_value=1, max_value=60,
        help_text=_("Leave empty to count administrations only"),
    )  # fmt: skip
    interval_administrations = forms.IntegerField(
        label=_("Review after so many administrations"), required=False, min_value=1,
        max_value=1000, help_text=_("Leave empty to count months only"),
    )  # fmt: skip
    completion_days = forms.IntegerField(
        label=_("Days to complete a review"), min_value=1, max_value=365, initial=30
    )
    model = forms.ChoiceField(
        label=_("IRT model"), choices=AnalysisModel.choices, initial=AnalysisModel.AUTO
    )
    dif_grouping = forms.ChoiceField(
        label=_("DIF by"), choices=DifGrouping.choices, initial=DifGrouping.NONE
    )
    thresholds = forms.CharField(
        label=_("Flag thresholds (JSON)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_('For example {"p_min": 0.25, "p_max": 0.95, "reliability_min": 0.85}'),
    )  # fmt: skip

    def clean_thresholds(self) -> dict[str, Any]:
        text = (self.cleaned_data.get("thresholds") or "").strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            raise forms.ValidationError(_("Write the thresholds as a JSON object.")) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Write the thresholds as a JSON object."))
        return value


class OpenReviewForm(forms.Form):
    due_on = forms.DateField(
        label=_("To be completed by"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: the policy's number of days from today"),
    )  # fmt: skip


class AnalysisChoiceField(forms.ModelChoiceField[FormAnalysis]):
    @override
    def label_from_instance(self, obj: FormAnalysis) -> str:
        return str(
            _("%(date)s · %(n)s candidates · %(model)s")
            % {
                "date": timezone.localtime(obj.created_at).strftime("%Y-%m-%d %H:%M"),
                "n": obj.candidate_count,
                "model": obj.get_model_used_display(),
            }
        )


def _identifiers(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


class CloseReviewForm(forms.Form):
    conclusion = forms.ChoiceField(
        label=_("Conclusion"), choices=ReviewConclusion.choices, widget=forms.RadioSelect
    )
    summary = forms.CharField(
        label=_("Summary of the review"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the statistics showed (reliability, flagged items, decisions at the "
                    "cut, fairness) and why you conclude so"),
    )  # fmt: skip
    analysis = AnalysisChoiceField(
        label=_("Analysis the conclusion rests on"), queryset=FormAnalysis.objects.none()
    )
    revise = forms.CharField(label=_("Items to revise"), required=False, help_text=IDENTIFIERS_HELP)
    retire = forms.CharField(label=_("Items to retire"), required=False, help_text=IDENTIFIERS_HELP)
    key_change = forms.CharField(
        label=_("Items whose key changes"), required=False, help_text=IDENTIFIERS_HELP
    )
    corrective_action_required = forms.BooleanField(
        label=_("Deficiencies need corrective action"), required=False
    )
    corrective_action = forms.CharField(
        label=_("Deficiency and corrective action"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The quality manager links a corrective action (CAPA) to it"),
    )  # fmt: skip

    def __init__(self, *args: Any, analyses: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["analysis"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = analyses if analyses is not None else FormAnalysis.objects.none()

    def findings(self) -> list[FindingInput]:
        data = self.cleaned_data
        return [
            FindingInput(identifier, action)
            for field, action in (
                ("revise", FindingAction.REVISE),
                ("retire", FindingAction.RETIRE),
                ("key_change", FindingAction.KEY_CHANGE),
            )
            for identifier in _identifiers(data.get(field) or "")
        ]


class StudyForm(forms.Form):
    judges = forms.ModelMultipleChoiceField(
        label=_("Judges"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text=_("Staff of the scheme who know the work: examiners, item authors and "
                    "reviewers, the scheme's committee. Trainers and invigilators are not listed."),
    )  # fmt: skip
    candidate_description = forms.CharField(
        label=_("The minimally competent candidate"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the borderline candidate can and cannot do; judges rate against it"),
    )  # fmt: skip
    max_rounds = forms.TypedChoiceField(
        label=_("Rounds"), choices=[(n, str(n)) for n in range(1, 6)], coerce=int, initial=2
    )
    collect_compromise = forms.BooleanField(
        label=_("Also ask judges for Hofstee and Beuk judgements"), required=False, initial=True
    )

    def __init__(self, *args: Any, eligible: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["judges"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = eligible


class DeclarationForm(forms.Form):
    conflict = forms.TypedChoiceField(
        label=_("Your interests in this form's outcome"),
        choices=[
            ("no", _("I have no interest in the outcome of this form")),
            ("yes", _("I have an interest to declare")),
        ],
        widget=forms.RadioSelect, coerce=lambda value: value == "yes",
    )  # fmt: skip
    note = forms.CharField(
        label=_("The interest you declare"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: you trained candidates who sit this form"),
    )  # fmt: skip


class RatingForm(forms.Form):
    """One field per item of the form: percent of the item's points the borderline candidate
    earns (for a one-point item, how many of 100 such candidates answer correctly)."""

    def __init__(
        self, *args: Any, item_fields: Sequence[tuple[int, str]], compromise: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for version_id, label in item_fields:
            self.fields[f"item-{version_id}"] = forms.DecimalField(
                label=label, required=False, min_value=Decimal(0), max_value=Decimal(100),
                decimal_places=2, widget=forms.NumberInput(attrs={"step": "1", "inputmode": "decimal"}),
            )  # fmt: skip
        if compromise:
            for name, text in COMPROMISE_FIELDS:
                self.fields[name] = forms.DecimalField(
                    label=text, required=False, min_value=Decimal(0), max_value=Decimal(100),
                    decimal_places=2,
                )  # fmt: skip

    def ratings(self) -> dict[int, Decimal]:
        return {
            int(name.removeprefix("item-")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("item-") and value is not None
        }

    def compromise_values(self) -> dict[str, Decimal] | None:
        values = {name: self.cleaned_data.get(name) for name, _label in COMPROMISE_FIELDS}
        if any(value is None for value in values.values()):
            return None
        return {name: value for name, value in values.items() if value is not None}

    def item_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("item-")]

    def compromise_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _label in COMPROMISE_FIELDS if name in self.fields]


COMPROMISE_FIELDS = (
    ("hofstee_min_cut", _("Lowest acceptable pass mark (% of the maximum score)")),
    ("hofstee_max_cut", _("Highest acceptable pass mark (% of the maximum score)")),
    ("hofstee_min_fail", _("Lowest acceptable failure rate (%)")),
    ("hofstee_max_fail", _("Highest acceptable failure rate (%)")),
    ("beuk_cut", _("Your pass mark (% of the maximum score)")),
    ("beuk_pass_rate", _("The pass rate you expect (%)")),
)


class RoundForm(forms.Form):
    discussion_notes = forms.CharField(
        label=_("What the panel discussed after the last round"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip


class ComputeForm(forms.Form):
    pass_mark = forms.DecimalField(
        label=_("Pass mark (raw score)"), required=False, min_value=Decimal(0), decimal_places=2,
        help_text=_("Empty: the lowest score at or above the cut"),
    )  # fmt: skip
    rationale = forms.CharField(
        label=_("Rationale for another pass mark"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve: the form's pass rule")), ("reject", _("Send back"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)

"""Forms of the application pages. They validate input; the services decide and record."""

from __future__ import annotations

from typing import Any, override

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from peritus.applications.models import (
    AccommodationKind,
    ApplicationStatus,
    EligibilityOutcome,
    EvidenceFile,
    EvidenceKind,
    FindingResult,
)
from peritus.applications.uploads import max_upload_bytes
from peritus.impartiality.models import ConflictNature
from peritus.schemes.models import Prerequisite, Scheme, SchemeVersion, ScopeItem

ACCEPT = "application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"


def _file_field(label: Any, *, required: bool = True) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=required,
        help_text=_("PDF, PNG or JPEG, at most %(mb)s MB.") % {"mb": max_upload_bytes() // 1048576},
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )


class PrerequisiteChoiceField(forms.ModelChoiceField[Prerequisite]):
    @override
    def label_from_instance(self, obj: Prerequisite) -> str:
        return f"{obj.code} — {obj.get_kind_display()}: {obj.description[:80]}"


class AnswersForm(forms.Form):
    requested_scope = forms.ModelMultipleChoiceField(
        label=_("Scope you apply for"),
        queryset=ScopeItem.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    employer = forms.CharField(label=_("Current employer"), max_length=200, required=False)
    education_summary = forms.CharField(
        label=_("Education"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Diplomas and degrees, with the institution and the year."),
    )
    experience_summary = forms.CharField(
        label=_("Work experience"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Roles, employers and dates (month and year), most recent first."),
    )
    training_summary = forms.CharField(
        label=_("Training"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Courses relevant to the scheme, with hours and dates."),
    )
    assessment_language = forms.ChoiceField(
        label=_("Language of assessment"), choices=settings.LANGUAGES
    )

    def __init__(self, *args: Any, version: SchemeVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["requested_scope"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = ScopeItem.objects.filter(scheme_version=version)
        if not field.queryset.exists():
            del self.fields["requested_scope"]


class EvidenceForm(forms.Form):
    file = _file_field(_("File"))
    prerequisite = PrerequisiteChoiceField(
        label=_("For the requirement"),
        queryset=Prerequisite.objects.none(),
        required=False,
        empty_label=_("— general document —"),
    )
    kind = forms.ChoiceField(
        label=_("What it shows"),
        choices=[
            (k, v) for k, v in EvidenceKind.choices if k != EvidenceKind.ACCOMMODATION_SUPPORT
        ],
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)

    def __init__(self, *args: Any, version: SchemeVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["prerequisite"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Prerequisite.objects.filter(scheme_version=version)


class AttestationForm(forms.Form):
    signed_name = forms.CharField(label=_("Your full name, as your signature"), max_length=300)
    confirm = forms.BooleanField(
        label=_("I have read the declaration above and I sign it."), required=True
    )


class CodeOfConductForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I have read the code of conduct and I will abide by it."), required=True
    )


class ConsentForm(forms.Form):
    consent = forms.TypedChoiceField(
        label=_("Public register"),
        choices=[
            (
                "yes",
                _(
                    "Yes: once certified, list my name, certificate and scope in the public register"
                ),
            ),
            ("no", _("No: do not list me (anyone can still check a certificate by its number)")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )


class ResponseForm(forms.Form):
    response = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 5}))
    file = _file_field(_("File (optional)"), required=False)
    prerequisite = PrerequisiteChoiceField(
        label=_("The file is evidence for"),
        queryset=Prerequisite.objects.none(),
        required=False,
        empty_label=_("— general document —"),
    )

    def __init__(self, *args: Any, version: SchemeVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["prerequisite"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Prerequisite.objects.filter(scheme_version=version)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm = forms.BooleanField(label=_("Yes, withdraw my application."), required=True)


class AccommodationForm(forms.Form):
    kind = forms.ChoiceField(label=_("What you need"), choices=AccommodationKind.choices)
    extra_time_percent = forms.IntegerField(
        label=_("Extra time asked for (%)"),
        min_value=5,
        max_value=200,
        required=False,
        help_text=_("Only for extra time, for instance 25."),
    )
    need = forms.CharField(
        label=_("Why you need it"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Seen only by you and the eligibility reviewers."),
    )
    document = _file_field(_("Supporting document (optional)"), required=False)


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Waiting for the body")), ("all", _("All")), *ApplicationStatus.choices],
    )
    scheme = forms.ModelChoiceField(
        label=_("Scheme"), queryset=Scheme.objects.all(), required=False, empty_label=_("All")
    )
    assigned = forms.ChoiceField(
        label=_("Reviewer"),
        required=False,
        choices=[("", _("Anyone")), ("me", _("Me")), ("none", _("Nobody yet"))],
    )
    q = forms.CharField(label=_("Reference or name"), required=False, max_length=100)


class StartReviewForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Do you have an interest in this applicant?"),
        choices=[
            ("no", _("No: I have no link with this person that could affect my impartiality")),
            ("yes", _("Yes: I have a link with this person")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text=_("Employer or employee, trainer, relative, colleague, or any other interest."),
    )
    nature = forms.ChoiceField(
        label=_("Nature of the interest"),
        choices=[("", "—"), *ConflictNature.choices],
        required=False,
    )
    details = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReleaseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the review goes back to the queue"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InformationRequestForm(forms.Form):
    message = forms.CharField(
        label=_("What the applicant must provide"), widget=forms.Textarea(attrs={"rows": 4})
    )
    due_on = forms.DateField(
        label=_("Answer by (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class EligibilityDecisionForm(forms.Form):
    """A finding and a note for each prerequisite, then the outcome and its reasons."""

    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=EligibilityOutcome.choices, widget=forms.RadioSelect
    )
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(
        self,
        *args: Any,
        prerequisites: list[Prerequisite],
        evidence: list[EvidenceFile],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.prerequisites = prerequisites
        self.evidence = evidence
        for prerequisite in prerequisites:
            self.fields[f"finding_{prerequisite.pk}"] = forms.ChoiceField(
                label=_("Finding for %(code)s") % {"code": prerequisite.code},
                choices=FindingResult.choices,
                widget=forms.RadioSelect,
            )
            self.fields[f"note_{prerequisite.pk}"] = forms.CharField(
                label=_("Note on %(code)s") % {"code": prerequisite.code},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self) -> list[dict[str, Any]]:
        """Each prerequisite beside the evidence offered for it and its two fields."""
        return [
            {
                "prerequisite": prerequisite,
                "evidence": [e for e in self.evidence if e.prerequisite_id == prerequisite.pk],
                "finding": self[f"finding_{prerequisite.pk}"],
                "note": self[f"note_{prerequisite.pk}"],
            }
            for prerequisite in self.prerequisites
        ]

    def findings(self) -> dict[int, tuple[str, str, tuple[int, ...]]]:
        return {
            prerequisite.pk: (
                self.cleaned_data[f"finding_{prerequisite.pk}"],
                self.cleaned_data.get(f"note_{prerequisite.pk}", ""),
                tuple(e.pk for e in self.evidence if e.prerequisite_id == prerequisite.pk),
            )
            for prerequisite in self.prerequisites
        }


class AccommodationDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    arrangements = forms.CharField(
        label=_("Arrangements granted"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("As invigilators will apply them, for instance: 25 % extra time, own room."),
    )
    extra_time_percent = forms.IntegerField(
        label=_("Extra time granted (%)"), min_value=5, max_value=200, required=False
    )
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}))

"""Forms of the scheme pages. They validate input; the services decide and record."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from peritus.schemes.models import (
    AssessmentComponent,
    CompetenceDomain,
    CompetenceTask,
    Fee,
    Prerequisite,
    Scheme,
    SchemeVersion,
    ScopeItem,
)
from peritus.schemes.services import PART_FIELDS, VERSION_FIELDS, PartKind


class SchemeForm(forms.ModelForm[Scheme]):
    class Meta:
        model = Scheme
        fields = ("code", "slug", "name", "summary", "sector", "owner_name")
        help_texts: ClassVar[dict[str, Any]] = {
            "code": _("Short and stable, such as CWI. Printed in certificate numbers."),
            "slug": _("The address of the public page: /schemes/<slug>/"),
        }


class SchemeChangeForm(forms.ModelForm[Scheme]):
    class Meta:
        model = Scheme
        fields = ("name", "summary", "sector", "owner_name")


class NewVersionForm(forms.Form):
    version = forms.CharField(
        label=_("Version label"), max_length=20, help_text=_("For instance 2027.1")
    )


# Sections of the version form, in the order of the public page.
VERSION_SECTIONS: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (_("Scope and job"), ("change_summary", "scope_statement", "job_description",
                          "job_analysis_reference", "standard_reference")),
    (_("Assessment and pass rule"), ("assessment_overview", "combination_rule",
                                     "overall_pass_percent")),
    (_("Validity, surveillance and recertification"), (
        "validity_months", "surveillance_interval_months", "surveillance_requirements",
        "recertification_requirements", "recertification_window_months", "cpd_hours_per_cycle")),
    (_("Suspension, withdrawal and scope changes"), (
        "suspension_criteria", "withdrawal_criteria", "scope_change_rules")),
    (_("What applicants sign and supply"), (
        "attestation_text", "code_of_conduct", "certificate_terms", "required_documents",
        "fees_note")),
    (_("Public statements"), ("appeals_policy", "complaints_policy", "impartiality_statement")),
)  # fmt: skip


class VersionForm(forms.ModelForm[SchemeVersion]):
    class Meta:
        model = SchemeVersion
        fields = VERSION_FIELDS
        widgets: ClassVar[dict[str, Any]] = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in VERSION_FIELDS
            if name
            not in (
                "job_analysis_reference",
                "standard_reference",
                "combination_rule",
                "overall_pass_percent",
                "validity_months",
                "surveillance_interval_months",
                "recertification_window_months",
                "cpd_hours_per_cycle",
            )
        }

    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in VERSION_SECTIONS]


class ScopeItemForm(forms.ModelForm[ScopeItem]):
    class Meta:
        model = ScopeItem
        fields = PART_FIELDS[PartKind.SCOPE_ITEM]
        widgets: ClassVar[dict[str, Any]] = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "limitations": forms.Textarea(attrs={"rows": 3}),
        }


class CompetenceDomainForm(forms.ModelForm[CompetenceDomain]):
    class Meta:
        model = CompetenceDomain
        fields = PART_FIELDS[PartKind.COMPETENCE_DOMAIN]
        widgets: ClassVar[dict[str, Any]] = {"description": forms.Textarea(attrs={"rows": 3})}


class CompetenceTaskForm(forms.ModelForm[CompetenceTask]):
    class Meta:
        model = CompetenceTask
        fields = PART_FIELDS[PartKind.COMPETENCE_TASK]
        widgets: ClassVar[dict[str, Any]] = {
            "knowledge_and_skills": forms.Textarea(attrs={"rows": 3})
        }

    def __init__(self, *args: Any, version: SchemeVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["domain"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = CompetenceDomain.objects.filter(scheme_version=version)


class PrerequisiteForm(forms.ModelForm[Prerequisite]):
    class Meta:
        model = Prerequisite
        fields = PART_FIELDS[PartKind.PREREQUISITE]
        widgets: ClassVar[dict[str, Any]] = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "evidence_description": forms.Textarea(attrs={"rows": 2}),
            "scope_items": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, version: SchemeVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["scope_items"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = ScopeItem.objects.filter(scheme_version=version)


class ComponentForm(forms.ModelForm[AssessmentComponent]):
    class Meta:
        model = AssessmentComponent
        fields = PART_FIELDS[PartKind.COMPONENT]
        widgets: ClassVar[dict[str, Any]] = {"description": forms.Textarea(attrs={"rows": 3})}


class FeeForm(forms.ModelForm[Fee]):
    class Meta:
        model = Fee
        fields = PART_FIELDS[PartKind.FEE]


PART_FORMS: dict[PartKind, type[forms.ModelForm[Any]]] = {
    PartKind.SCOPE_ITEM: ScopeItemForm,
    PartKind.COMPETENCE_DOMAIN: CompetenceDomainForm,
    PartKind.COMPETENCE_TASK: CompetenceTaskForm,
    PartKind.PREREQUISITE: PrerequisiteForm,
    PartKind.COMPONENT: ComponentForm,
    PartKind.FEE: FeeForm,
}
PART_TITLES: dict[PartKind, Any] = {
    PartKind.SCOPE_ITEM: _("scope item"),
    PartKind.COMPETENCE_DOMAIN: _("competence domain"),
    PartKind.COMPETENCE_TASK: _("task"),
    PartKind.PREREQUISITE: _("prerequisite"),
    PartKind.COMPONENT: _("assessment component"),
    PartKind.FEE: _("fee"),
}


class ApprovalForm(forms.Form):
    approval_reference = forms.CharField(
        label=_("Committee decision reference"),
        max_length=200,
        required=False,
        help_text=_("For instance the minutes of the meeting that approved it"),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

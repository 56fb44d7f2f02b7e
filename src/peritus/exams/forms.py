"""Forms of the assessment pages. They parse input only; the services hold the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, override

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import list_users_with_role, role_grants
from peritus.applications.models import Application
from peritus.exams.models import AssessmentEvent, AssignmentRole, Delivery, EventCandidate
from peritus.impartiality.models import ConflictNature
from peritus.schemes.models import AssessmentComponent, SchemeVersionStatus


def score_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=8,
        decimal_places=2,
        min_value=Decimal(0),
        required=required,
        help_text=help_text,
    )


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def components_for_officer(user: Any) -> QuerySet[AssessmentComponent]:
    """Components of the versions in use, of the schemes the user is an officer for."""
    grants = [
        grant
        for grant in role_grants(user)
        if grant.active and grant.role == RoleCode.CERTIFICATION_OFFICER
    ]
    components = AssessmentComponent.objects.filter(
        scheme_version__status__in=[SchemeVersionStatus.PUBLISHED, SchemeVersionStatus.RETIRED]
    ).select_related("scheme_version__scheme")
    if not any(grant.scheme_id is None for grant in grants):
        components = components.filter(
            scheme_version__scheme_id__in=[grant.scheme_id for grant in grants]
        )
    return components.order_by("scheme_version__scheme__name", "-scheme_version__pk", "position")


class ComponentChoiceField(forms.ModelChoiceField[AssessmentComponent]):
    @override
    def label_from_instance(self, obj: AssessmentComponent) -> str:
        version = obj.scheme_version
        return f"{version.scheme.name} {version.version} — {obj.name}"


class EventForm(forms.Form):
    component = ComponentChoiceField(
        label=_("Assessment component"), queryset=AssessmentComponent.objects.none()
    )
    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=1,
        max_value=1440,
        required=False,
        help_text=_("Empty: the component's duration"),
    )
    delivery = forms.ChoiceField(label=_("Delivery"), choices=Delivery.choices)
    location = forms.CharField(
        label=_("Place"),
        max_length=300,
        help_text=_("The address and room, or how candidates join an online session"),
    )
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=10000)
    language = forms.ChoiceField(
        label=_("Language of the assessment"), choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE, required=False,
        help_text=_("Only examiners approved for this language are assigned and mark it."),
    )  # fmt: skip
    double_marking = forms.BooleanField(
        label=_("Every result is marked by two examiners"), required=False
    )
    marking_tolerance = score_field(
        _("Marking tolerance"),
        required=False,
        help_text=_(
            "Two marks further apart than this are reconciled. Empty: 10 % of the maximum."
        ),
    )
    notes = forms.CharField(
        label=_("Notes for the personnel"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["component"].queryset = components_for_officer(user)  # type: ignore[attr-defined]


class AssignmentForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("Role on the event"), choices=AssignmentRole.choices)

    def __init__(self, *args: Any, event: AssessmentEvent, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        examiners = list_users_with_role(RoleCode.EXAMINER, scheme_id=event.scheme_id)
        invigilators = list_users_with_role(RoleCode.INVIGILATOR, scheme_id=event.scheme_id)
        people = (examiners | invigilators).exclude(event_assignments__event=event)
        self.fields["user"].queryset = (  # type: ignore[attr-defined]
            people.distinct().order_by("family_name", "given_names")
        )


class ApplicationChoiceField(forms.ModelChoiceField[Application]):
    @override
    def label_from_instance(self, obj: Application) -> str:
        return f"{obj.person.full_name} ({obj.reference})"


class AddCandidateForm(forms.Form):
    application = ApplicationChoiceField(
        label=_("Eligible candidate"), queryset=Application.objects.none()
    )

    def __init__(self, *args: Any, applications: QuerySet[Application], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = applications  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class EntryChoiceField(forms.ModelMultipleChoiceField[EventCandidate]):
    @override
    def label_from_instance(self, obj: EventCandidate) -> str:
        return obj.application.person.full_name


class AttendanceForm(forms.Form):
    absent = EntryChoiceField(
        label=_("Candidates who did not attend"),
        queryset=EventCandidate.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Everyone not ticked is recorded as present."),
    )

    def __init__(self, *args: Any, event: AssessmentEvent, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["absent"].queryset = EventCandidate.objects.filter(  # type: ignore[attr-defined]
            event=event
        ).select_related("application__person")


class DeclarationForm(forms.Form):
    """One candidate's row on the examiner's declaration screen."""

    has_conflict = forms.TypedChoiceField(
        label=_("Do you have an interest in this candidate's case?"),
        choices=[("no", _("No conflict of interest")), ("yes", _("Yes, I have an interest"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    nature = forms.ChoiceField(
        label=_("Nature of the interest"),
        choices=[("", _("— not applicable —")), *ConflictNature.choices],
        required=False,
    )
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, entry: EventCandidate, **kwargs: Any) -> None:
        kwargs["prefix"] = f"candidate-{entry.pk}"
        super().__init__(*args, **kwargs)
        self.entry = entry


class MarkForm(forms.Form):
    score = score_field(_("Score"))
    rubric_notes = forms.CharField(
        label=_("Rubric notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For the body's records: how each criterion was met."),
    )
    feedback = forms.CharField(
        label=_("Feedback to the candidate"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the candidate once the result is released."),
    )

    def __init__(self, *args: Any, component: AssessmentComponent, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["score"].max_value = component.max_score  # type: ignore[attr-defined]
        self.fields["score"].help_text = _("From 0 to %(max)s; the pass mark is %(pass)s.") % {
            "max": component.max_score,
            "pass": component.pass_mark,
        }


class SecondMarkForm(forms.Form):
    score = score_field(_("Your independent score"))
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReconciliationForm(forms.Form):
    score = score_field(_("Agreed score"))
    notes = forms.CharField(
        label=_("How the marks were reconciled"), widget=forms.Textarea(attrs={"rows": 3})
    )


class AttachmentForm(forms.Form):
    upload = forms.FileField(
        label=_("File"), help_text=_("A marked script or observation form: PDF, PNG or JPEG.")
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)

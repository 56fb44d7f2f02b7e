"""Forms of the corrective action pages. They parse input only; the services hold the rules."""

from __future__ import annotations

from typing import Any, override

from django import forms
from django.utils.translation import gettext_lazy as _

from peritus.accounts.models import RoleAssignment, User
from peritus.qms.models import ActionKind, ActionSource, ActionStatus


class DateInput(forms.DateInput):
    input_type = "date"


def personnel_users() -> Any:
    """Members of the personnel who hold a current role (owners of actions and steps)."""
    return User.objects.filter(
        pk__in=RoleAssignment.objects.current().values("user_id"), is_active=True
    ).order_by("family_name", "given_names")


class PersonnelChoiceField(forms.ModelChoiceField[User]):
    @override
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.email})"


class RegisterFilterForm(forms.Form):
    STATUS_CHOICES = (
        ("open", _("Open (not closed or cancelled)")),
        ("", _("All")),
        *ActionStatus.choices,
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    source = forms.ChoiceField(
        label=_("Source"), choices=[("", _("Any")), *ActionSource.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Any")), *ActionKind.choices], required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    q = forms.CharField(label=_("Reference or words"), required=False, max_length=100)


class RaiseForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=ActionKind.choices, initial=ActionKind.CORRECTIVE,
        widget=forms.RadioSelect,
    )  # fmt: skip
    source = forms.ChoiceField(label=_("Source"), choices=ActionSource.choices)
    source_label = forms.CharField(
        label=_("Source reference"),
        max_length=200,
        required=False,
        help_text=_("The audit finding, review or record this comes from."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("The nonconformity"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What went wrong, or what could go wrong."),
    )
    containment = forms.CharField(
        label=_("Immediate correction"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    owner = PersonnelChoiceField(label=_("Owner"), queryset=User.objects.none())
    due_on = forms.DateField(label=_("To be closed by"), widget=DateInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = personnel_users()


class RootCauseForm(forms.Form):
    root_cause = forms.CharField(
        label=_("Root cause"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why it happened (or could happen), not only what happened."),
    )


class StepForm(forms.Form):
    description = forms.CharField(label=_("Action"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = PersonnelChoiceField(label=_("Owner"), queryset=User.objects.none())
    due_on = forms.DateField(label=_("Due on"), widget=DateInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = personnel_users()


class CompleteStepForm(forms.Form):
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 2}))


class EffectivenessForm(forms.Form):
    effective = forms.TypedChoiceField(
        label=_("Did the actions work?"),
        choices=(("yes", _("Yes: effective")), ("no", _("No: more action is needed"))),
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    evidence = forms.CharField(
        label=_("What was checked, and the finding"), widget=forms.Textarea(attrs={"rows": 3})
    )


class CloseForm(forms.Form):
    summary = forms.CharField(label=_("Closure summary"), widget=forms.Textarea(attrs={"rows": 3}))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why cancel"), widget=forms.Textarea(attrs={"rows": 2}))

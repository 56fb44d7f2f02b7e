from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peritus.accounts.models import User
from peritus.appeals.models import (
    AppealActionKind,
    AppealChannel,
    AppealOutcome,
    AppealStatus,
    AppealSubject,
)
from peritus.impartiality.models import ConflictNature

TEXT = 10_000


def _text(label: Any, *, rows: int = 4, required: bool = True, help_text: Any = "") -> Any:
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": rows}),
        max_length=TEXT,
        required=required,
        help_text=help_text,
    )


class LodgeForm(forms.Form):
    """The candidate's appeal, against a record of their own file."""

    record = forms.ChoiceField(label=_("What do you appeal?"), widget=forms.RadioSelect)
    grounds = _text(
        _("Grounds of the appeal"),
        rows=8,
        help_text=_("What you think is wrong in the decision, and why."),
    )
    remedy_sought = _text(_("What do you ask for?"), rows=3, required=False)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["record"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class RecordForm(forms.Form):
    """Staff record an appeal that came by email or letter."""

    appellant_email = forms.EmailField(
        label=_("Appellant's email address"),
        help_text=_("The address on the person's record."),
    )
    subject_kind = forms.ChoiceField(label=_("What is appealed"), choices=AppealSubject.choices)
    subject_key = forms.CharField(
        label=_("Reference of the record appealed"),
        max_length=64,
        required=False,
        help_text=_(
            "A decision reference (D-…), an application reference, a certificate number, or the "
            "number of the result or accommodation. Empty for another decision."
        ),
    )
    channel = forms.ChoiceField(
        label=_("Received by"),
        choices=[(c.value, c.label) for c in AppealChannel if c != AppealChannel.PORTAL],
    )
    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    grounds = _text(_("Grounds of the appeal"), rows=8)
    remedy_sought = _text(_("What the appellant asks for"), rows=3, required=False)


class RegisterFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any")), ("open", _("Open")), *AppealStatus.choices],
    )
    subject_kind = forms.ChoiceField(
        label=_("What is appealed"),
        required=False,
        choices=[("", _("Any")), *AppealSubject.choices],
    )
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)
    q = forms.CharField(label=_("Reference or family name"), required=False, max_length=100)


class NoteForm(forms.Form):
    note = _text(_("Note"), rows=3, required=False)


class RequiredNoteForm(forms.Form):
    note = _text(_("Note"), rows=3)


class ReasonsForm(forms.Form):
    reasons = _text(_("Reasons, as the appellant will read them"), rows=5)


class MessageForm(forms.Form):
    message = _text(_("Message to the appellant"), rows=4)


class InvestigationNoteForm(forms.Form):
    body = _text(_("Investigation note"), rows=4)


class MemberForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Panel member"), queryset=User.objects.none())

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = members


class DeclareForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Your interests in this appeal"),
        choices=[
            ("no", _("I have no conflict of interest with the appellant")),
            ("yes", _("I have a conflict of interest (I leave the panel)")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    nature = forms.ChoiceField(
        label=_("Nature of the conflict"),
        required=False,
        choices=[("", _("No conflict")), *ConflictNature.choices],
    )
    details = _text(_("Details of the conflict"), rows=2, required=False)


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=AppealOutcome.choices, widget=forms.RadioSelect
    )
    reasons = _text(_("Reasons, as the appellant will read them"), rows=6)


class NewDecisionForm(forms.Form):
    decision_maker = forms.ModelChoiceField(label=_("Decision maker"), queryset=User.objects.none())
    description = _text(_("What is to be decided again"), rows=3)
    due_on = forms.DateField(
        label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, decision_makers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["decision_maker"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = decision_makers


class CorrectiveActionForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    description = _text(_("The nonconformity the appeal revealed"), rows=3)
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = owners


class OtherActionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Action"),
        choices=[
            (k.value, k.label)
            for k in (
                AppealActionKind.REASSESSMENT,
                AppealActionKind.OTHER,
            )
        ],
    )
    description = _text(_("Description"), rows=3)
    due_on = forms.DateField(
        label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class LinkDecisionForm(forms.Form):
    decision_reference = forms.CharField(label=_("Reference of the new decision"), max_length=32)


class WithdrawForm(forms.Form):
    reason = _text(_("Why (optional)"), rows=2, required=False)

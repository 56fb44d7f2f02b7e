"""Forms of the complaint pages. They parse input only; the services hold the rules.

The public form carries its spam protection, which works without JavaScript: a honeypot field
that people leave empty, and a signed timestamp of when the form was shown (a person takes a few
seconds to fill it in; a robot posts at once). The per-address rate limit is the view's.
"""

from __future__ import annotations

import time
from typing import Any, override

from django import forms
from django.core import signing
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from peritus.accounts.models import RoleAssignment, User
from peritus.certification.models import Certificate
from peritus.complaints.deadlines import form_max_age_seconds, form_min_seconds
from peritus.complaints.errors import SpamRefusedError
from peritus.complaints.models import (
    ComplaintAbout,
    ComplaintChannel,
    ComplaintOutcome,
    ComplaintStatus,
    Publicity,
    TriageCategory,
)

FORM_SALT = "peritus.complaints.public-form"
HONEYPOT = "website"
TIMESTAMP_FIELD = "form_token"


class DateInput(forms.DateInput):
    input_type = "date"


def new_form_token(now: float | None = None) -> str:
    """A signed record of when the form was shown."""
    return signing.dumps({"shown": now if now is not None else time.time()}, salt=FORM_SALT)


def check_spam_protection(data: Any, *, now: float | None = None) -> None:
    """Raise SpamRefusedError (stable codes) when the honeypot is filled, the form token is missing,
    altered or stale, or the form came back faster than a person can fill it in."""
    now = now if now is not None else time.time()
    if str(data.get(HONEYPOT, "")).strip():
        raise SpamRefusedError(
            "honeypot_filled",
            gettext(
                "Your complaint was not sent: a field meant to stay empty was filled in. "
                "If you use a form-filling tool, turn it off and send the form again."
            ),
        )
    try:
        shown = float(
            signing.loads(
                str(data.get(TIMESTAMP_FIELD, "")), salt=FORM_SALT, max_age=form_max_age_seconds()
            )["shown"]
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise SpamRefusedError(
            "form_expired",
            gettext("This form has expired or was altered. Check your answers and send it again."),
        ) from None
    if now - shown > form_max_age_seconds():
        raise SpamRefusedError(
            "form_expired",
            gettext("This form has expired or was altered. Check your answers and send it again."),
        )
    if now - shown < form_min_seconds():
        raise SpamRefusedError(
            "sent_too_fast",
            gettext(
                "The form came back faster than a person can fill it in. Check your answers "
                "and send it again."
            ),
        )


class PublicComplaintForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("We acknowledge your complaint, report on it and send the outcome here."),
    )
    phone = forms.CharField(label=_("Phone (optional)"), max_length=40, required=False)
    organisation = forms.CharField(
        label=_("Organisation (optional)"), max_length=200, required=False
    )
    about = forms.ChoiceField(
        label=_("What is your complaint about?"),
        choices=ComplaintAbout.choices,
        widget=forms.RadioSelect,
    )
    subject_description = forms.CharField(
        label=_("Who or what exactly (optional)"),
        max_length=300,
        required=False,
        help_text=_("A name, a certificate number, an exam session, a date …"),
    )
    description = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10000
    )
    desired_outcome = forms.CharField(
        label=_("What would you like us to do? (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    occurred_on = forms.DateField(
        label=_("When did it happen? (optional)"), widget=DateInput, required=False
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        help_text=_("It is here to catch automated spam."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def visible_questions(self) -> list[Any]:
        return [field for field in self if field.name != HONEYPOT]


class StaffComplaintForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Received by"),
        choices=[
            (value, label)
            for value, label in ComplaintChannel.choices
            if value != ComplaintChannel.PUBLIC_FORM
        ],
    )
    received_on = forms.DateField(label=_("Received on"), widget=DateInput, required=False)
    name = forms.CharField(label=_("Complainant's name"), max_length=200)
    email = forms.EmailField(label=_("Complainant's email address"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    about = forms.ChoiceField(label=_("About"), choices=ComplaintAbout.choices)
    subject_description = forms.CharField(
        label=_("Who or what exactly"), max_length=300, required=False
    )
    description = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 5})
    )
    desired_outcome = forms.CharField(
        label=_("What the complainant would like"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    occurred_on = forms.DateField(label=_("When it happened"), widget=DateInput, required=False)


class RegisterFilterForm(forms.Form):
    STATUS_CHOICES = (
        ("open", _("Open (received or being handled)")),
        ("finished", _("Finished")),
        ("", _("All")),
        *ComplaintStatus.choices,
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    about = forms.ChoiceField(
        label=_("About"), choices=[("", _("Any")), *ComplaintAbout.choices], required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    q = forms.CharField(label=_("Reference, name or certificate"), required=False, max_length=100)


def personnel_users() -> Any:
    return User.objects.filter(
        pk__in=RoleAssignment.objects.current().values("user_id"), is_active=True
    ).order_by("family_name", "given_names")


class PersonnelChoiceField(forms.ModelChoiceField[User]):
    @override
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.email})"


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label=_("How it was acknowledged"),
        max_length=200,
        help_text=_("For example: letter posted on 3 March; told by phone."),
    )


class AcceptForm(forms.Form):
    category = forms.ChoiceField(
        label=_("It is a complaint"),
        choices=[
            (value, label)
            for value, label in TriageCategory.choices
            if value != TriageCategory.OUT_OF_SCOPE
        ],
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 2}))
    certificate_number = forms.CharField(
        label=_("Certificate concerned (number)"), max_length=40, required=False
    )
    subject_staff = PersonnelChoiceField(
        label=_("Examiner or member of staff concerned"),
        queryset=User.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["subject_staff"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = personnel_users()

    def clean_certificate_number(self) -> Certificate | None:
        number = self.cleaned_data["certificate_number"].strip()
        if not number:
            return None
        certificate = (
            Certificate.objects.select_related("holder", "decision").filter(number=number).first()
        )
        if certificate is None:
            raise forms.ValidationError(_("No certificate has this number."))
        return certificate


class RejectForm(forms.Form):
    reasons = forms.CharField(
        label=_("Why this is not a complaint the body handles"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Written to the complainant."),
    )


class AssignForm(forms.Form):
    handler = PersonnelChoiceField(label=_("Handler"), queryset=User.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["handler"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(
            pk__in=RoleAssignment.objects.current()
            .filter(role__code="complaints_handler")
            .values("user_id"),
            is_active=True,
        ).order_by("family_name", "given_names")


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Investigation note"), widget=forms.Textarea(attrs={"rows": 3}))


class ProgressForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the complainant"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Emailed to the complainant when there is an address."),
    )


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=ComplaintOutcome.choices, widget=forms.RadioSelect
    )
    findings = forms.CharField(
        label=_("Findings and reasons"), widget=forms.Textarea(attrs={"rows": 5})
    )
    publicity = forms.ChoiceField(
        label=_("Publicity of the outcome"),
        choices=Publicity.choices,
        initial=Publicity.NOT_PUBLISHED,
    )
    publicity_agreement = forms.CharField(
        label=_("How publicity was agreed with the parties"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class CloseForm(forms.Form):
    note = forms.CharField(
        label=_("Closure note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Sent to the complainant with the formal closure notice."),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("How and why it was withdrawn"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ProposeSuspensionForm(forms.Form):
    certificate = forms.ModelChoiceField(
        label=_("Certificate"), queryset=Certificate.objects.none(), to_field_name="number"
    )
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}))
    conditions = forms.CharField(
        label=_("Conditions for reinstatement"), widget=forms.Textarea(attrs={"rows": 2})
    )
    deadline = forms.DateField(label=_("Proposed deadline"), widget=DateInput)

    def __init__(self, *args: Any, certificates: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["certificate"]
        assert isinstance(field, forms.ModelChoiceField)
        if certificates is not None:
            field.queryset = certificates


class DecideProposalForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=(("suspend", _("Suspend the certificate")), ("decline", _("Decline"))),
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required when declining."),
    )


class CorrectiveActionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("The nonconformity"), widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = PersonnelChoiceField(label=_("Owner"), queryset=User.objects.none())
    due_on = forms.DateField(label=_("To be closed by"), widget=DateInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = personnel_users()

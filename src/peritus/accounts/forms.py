from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from peritus.accounts.models import AgreementVersion, Role, RoleAssignment, User


class CandidateSignupForm(forms.Form):
    """Extra sign-up fields: the legal name as it must appear on a certificate."""

    given_names = forms.CharField(
        label=_("Given names"), max_length=150, help_text=_("Exactly as on your identity document."),
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )  # fmt: skip
    family_name = forms.CharField(
        label=_("Family name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=settings.LANGUAGES, initial="en"
    )

    field_order = [
        "given_names",
        "family_name",
        "email",
        "password1",
        "password2",
        "preferred_language",
    ]

    def signup(self, request: HttpRequest, user: User) -> None:
        user.given_names = self.cleaned_data["given_names"].strip()
        user.family_name = self.cleaned_data["family_name"].strip()
        user.preferred_language = self.cleaned_data["preferred_language"]
        user.save(update_fields=["given_names", "family_name", "preferred_language"])


class AgreementAcceptanceForm(forms.Form):
    agreement = forms.ModelChoiceField(
        queryset=AgreementVersion.objects.all(), widget=forms.HiddenInput
    )
    confirm = forms.BooleanField(
        label=_("I have read this agreement and accept it."), required=True,
        error_messages={"required": _("Tick the box to accept the agreement.")},
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class RoleAssignmentForm(forms.Form):
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.all(), empty_label=None)
    scheme = forms.ModelChoiceField(
        # The scheme model sits in a higher layer; reach it through the foreign key, not an import.
        label=_("Scheme"), queryset=RoleAssignment._meta.get_field("scheme").related_model._default_manager.all(),
        required=False,
        empty_label=_("All schemes"), help_text=_("Limit the role to one scheme, if the role allows it."),
    )  # fmt: skip
    languages = forms.MultipleChoiceField(
        label=_("Languages"), required=False, choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Examiners: the languages they are approved to assess in. None: every language."),
    )  # fmt: skip
    valid_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Required for time-limited roles such as accreditation assessor."),
    )  # fmt: skip
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class RevocationForm(forms.Form):
    reason = forms.CharField(label=_("Reason for revoking"), max_length=500)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. 'HR system sync'."),
    )
    write = forms.BooleanField(
        label=_("Allow actions (not only reading)"), required=False,
        help_text=_("A token acts within your own roles. Leave unticked for read-only access."),
    )  # fmt: skip
    expires_on = forms.DateField(
        label=_("Expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

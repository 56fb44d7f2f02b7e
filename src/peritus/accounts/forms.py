from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from peritus.accounts.models import AgreementVersion, User


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

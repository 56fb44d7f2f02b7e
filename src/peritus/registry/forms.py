from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peritus.schemes.models import Scheme


class VerifyForm(forms.Form):
    number = forms.CharField(
        label=_("Certificate number"),
        max_length=64,
        help_text=_("As printed on the certificate, for example WI-0001234-K"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_number(self) -> str:
        value: str = " ".join(self.cleaned_data["number"].split()).upper()
        if not value or "/" in value:
            raise forms.ValidationError(_("Type the number as printed on the certificate."))
        return value


class RegisterSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name or certificate number"),
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    scheme = forms.ModelChoiceField(
        label=_("Scheme"),
        queryset=Scheme.objects.none(),
        required=False,
        empty_label=_("Every scheme"),
        to_field_name="slug",
    )
    page = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = Scheme.objects.only("slug", "name").order_by("name")  # type: ignore[attr-defined]

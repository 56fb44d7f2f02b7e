from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest

from peritus.accounts.models import User
from peritus.accounts.selectors import is_staff_member


class PeritusAccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]  # allauth is untyped here
    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> User:
        from peritus.accounts.services import register_candidate

        cleaned = getattr(form, "cleaned_data", {})
        user.given_names = str(cleaned.get("given_names", user.given_names or "")).strip()
        user.family_name = str(cleaned.get("family_name", user.family_name or "")).strip()
        user.preferred_language = cleaned.get("preferred_language", user.preferred_language or "en")
        saved: User = super().save_user(request, user, form, commit=commit)
        if commit:
            register_candidate(user=saved)
        return saved

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        if is_staff_member(request.user):
            return "/office/"
        return str(super().get_login_redirect_url(request))

    def get_from_email(self) -> str:
        return str(settings.DEFAULT_FROM_EMAIL)

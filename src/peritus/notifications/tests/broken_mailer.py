"""A mailer that always fails, for the retry tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, override

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    @override
    def send_messages(self, email_messages: Sequence[Any]) -> int:
        raise ConnectionError("SMTP server unreachable")

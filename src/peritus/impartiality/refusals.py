"""Refused attempts are logged (R1, R13: "attempts are refused and logged").

A service refusing for impartiality raises inside its transaction, which rolls back; this
decorator, placed outside the transaction, then records the refusal in a transaction of its own.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.db import models

from peritus.audit_trail.services import record_standalone_event
from peritus.core.errors import ImpartialityError
from peritus.impartiality.events import ImpartialityEvent


def audit_refusals[**P, R](action: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Record an `impartiality.refusal.recorded` event whenever the service raises ImpartialityError."""

    def decorator(service: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(service)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return service(*args, **kwargs)
            except ImpartialityError as error:
                records = [
                    value
                    for name, value in kwargs.items()
                    if name != "actor" and isinstance(value, models.Model) and value.pk
                ]
                record_standalone_event(
                    ImpartialityEvent.ACTION_REFUSED,
                    actor=kwargs.get("actor"),
                    subject=records[0] if records else None,
                    related=records[1:],
                    reason=error.message,
                    data={"action": action, "code": error.code},
                )
                raise

        return wrapper

    return decorator

"""Typed domain errors with stable codes.

Clients (the API, scripts, the UI) rely on `code`; never change one once released. Each bounded
context subclasses `DomainError` in its own `errors.py`. The API maps them to JSON
`{"code", "message"}` with `http_status`; HTML views turn them into a message beside the form.
"""

from __future__ import annotations

from typing import Any, override


class DomainError(Exception):
    """A business rule refused an action. Nothing was changed."""

    http_status = 409

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.details = details

    @override
    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class InvalidInputError(DomainError):
    """The request was understood but its content breaks a rule of form (422)."""

    http_status = 422


class NotPermittedError(DomainError):
    """The actor may see the object but may not do this to it (403)."""

    http_status = 403


class ImpartialityError(DomainError):
    """Segregation of duties or a conflict of interest blocks the action (403). No override."""

    http_status = 403


class NotFoundError(DomainError):
    """The object does not exist or is not visible to the actor (404)."""

    http_status = 404

"""Errors of the recertification context, with stable codes (clients rely on them)."""

from peritus.core.errors import DomainError, ImpartialityError, InvalidInputError, NotPermittedError

__all__ = [
    "ImpartialityError",
    "RecertificationError",
    "RecertificationInputError",
    "RecertificationNotPermittedError",
]


class RecertificationError(DomainError):
    """A rule of surveillance or recertification refused the action (409). Nothing changed."""


class RecertificationInputError(InvalidInputError):
    """The request breaks a rule of form: a reason missing, a date out of range (422)."""


class RecertificationNotPermittedError(NotPermittedError):
    """The actor may not do this to this record (403)."""

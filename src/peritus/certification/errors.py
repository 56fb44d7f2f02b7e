"""Errors of the certification context, with stable codes (clients rely on them)."""

from peritus.core.errors import DomainError, ImpartialityError, InvalidInputError, NotPermittedError

__all__ = [
    "CertificationError",
    "CertificationInputError",
    "CertificationNotPermittedError",
    "ImpartialityError",
]


class CertificationError(DomainError):
    """A rule of certification refused the action (409). Nothing was changed."""


class CertificationInputError(InvalidInputError):
    """The request breaks a rule of form: a rationale missing, a date out of range (422)."""


class CertificationNotPermittedError(NotPermittedError):
    """The actor may not do this to this record (403)."""

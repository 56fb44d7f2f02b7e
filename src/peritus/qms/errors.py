"""Errors of the quality management context. Codes are stable: clients rely on them."""

from peritus.core.errors import DomainError, ImpartialityError, InvalidInputError

__all__ = ["ImpartialityError", "QmsError", "QmsInputError"]


class QmsError(DomainError):
    """A rule of the management system refused the action (409). Nothing was changed."""


class QmsInputError(InvalidInputError):
    """The request breaks a rule of form: a description missing, a date in the past (422)."""

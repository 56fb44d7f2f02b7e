"""Errors of the assessment record. Codes are stable: clients rely on them."""

from peritus.core.errors import DomainError, ImpartialityError, InvalidInputError, NotPermittedError


class ExamsError(DomainError):
    """A rule of the assessment record refused the action (409)."""


class ExamsInputError(InvalidInputError):
    """A score, file or event detail is malformed (422)."""


class ExamsNotPermittedError(NotPermittedError):
    """The actor is not assigned to do this on this event (403)."""


__all__ = ["ExamsError", "ExamsInputError", "ExamsNotPermittedError", "ImpartialityError"]

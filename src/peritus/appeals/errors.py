"""Errors of the appeals context. Codes are stable: clients rely on them."""

from peritus.core.errors import DomainError, ImpartialityError, InvalidInputError, NotPermittedError

__all__ = ["AppealsError", "AppealsInputError", "AppealsNotPermittedError", "ImpartialityError"]


class AppealsError(DomainError):
    """A rule of the appeals process refused the action (409). Nothing was changed."""


class AppealsInputError(InvalidInputError):
    """The request breaks a rule of form: grounds missing, an unknown record (422)."""


class AppealsNotPermittedError(NotPermittedError):
    """The actor may see the appeal but may not do this to it (403)."""

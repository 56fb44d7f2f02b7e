"""Errors of the compliance context. Codes are stable: clients rely on them."""

from peritus.core.errors import DomainError, ImpartialityError, InvalidInputError

__all__ = ["ComplianceError", "ComplianceInputError", "ImpartialityError"]


class ComplianceError(DomainError):
    """A rule refused the action (409). Nothing was changed."""


class ComplianceInputError(InvalidInputError):
    """The request breaks a rule of form: reasons missing, an unknown conclusion (422)."""

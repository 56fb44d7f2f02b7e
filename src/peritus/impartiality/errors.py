"""Errors of the impartiality context. Codes are stable: clients rely on them."""

from peritus.core.errors import DomainError, ImpartialityError, InvalidInputError


class ImpartialityRuleError(DomainError):
    """A rule of the impartiality records refused the action (409)."""


class ImpartialityInputError(InvalidInputError):
    """The declaration, mitigation, training record or risk is incomplete or inconsistent (422)."""


__all__ = ["ImpartialityError", "ImpartialityInputError", "ImpartialityRuleError"]

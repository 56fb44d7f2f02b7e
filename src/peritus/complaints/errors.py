"""Errors of the complaints context. Codes are stable: clients rely on them."""

from peritus.core.errors import DomainError, ImpartialityError, InvalidInputError

__all__ = ["ComplaintError", "ComplaintInputError", "ImpartialityError"]


class ComplaintError(DomainError):
    """A rule of complaint handling refused the action (409). Nothing was changed."""


class ComplaintInputError(InvalidInputError):
    """The request breaks a rule of form: a reason missing, an unknown outcome (422)."""


class SpamRefusedError(ComplaintInputError):
    """The public form's spam protection refused the submission (422). Nothing was stored."""


class RateLimitedError(ComplaintError):
    """Too many complaints were sent from this address in a short time (429). Nothing stored."""

    http_status = 429

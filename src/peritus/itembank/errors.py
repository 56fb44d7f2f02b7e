"""Errors of the item bank, each with a stable code (clients rely on them)."""

from peritus.core.errors import (
    DomainError,
    ImpartialityError,
    InvalidInputError,
    NotFoundError,
    NotPermittedError,
)


class ItemBankError(DomainError):
    """A rule of the item bank refused the action (409).

    Codes: ``not_draft``, ``not_in_review``, ``wrong_status``, ``bank_exists``, ``item_exists``,
    ``unchanged``, ``not_approved``, ``frozen``, ``blueprint_not_approved``, ``infeasible``,
    ``form_exists``, ``enemy_of_itself``, ``different_bank``, ``resting``.
    """


class ItemInputError(InvalidInputError):
    """The content given cannot make a valid item, blueprint or form (422); codes from
    `qti.content.validate_content` (``key_required``, ``too_few_options`` …) and ``invalid``."""


class ItemImpartialityError(ImpartialityError):
    """Codes ``reviewer_is_author`` (an author may not review their own item) and
    ``approver_assembled_form`` (whoever assembled a form may not approve it)."""


class BankNotFoundError(NotFoundError):
    """Code ``bank_not_found``."""


class QtiImportRefused(DomainError):  # noqa: N818 - a refusal with a report, not a bug
    """The package was refused; `report` says why, file by file (code ``package_refused``)."""

    http_status = 422


class ItemAccessError(NotPermittedError):
    """Code ``information_barrier``: invigilators never handle items (R15)."""

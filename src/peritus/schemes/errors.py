"""Errors of the schemes context, each with a stable code."""

from peritus.core.errors import DomainError, ImpartialityError, InvalidInputError


class SchemeError(DomainError):
    """A rule about schemes refused the action (409).

    Codes: ``not_draft``, ``not_approved``, ``not_published``, ``incomplete``, ``version_exists``,
    ``scheme_exists``, ``duplicate_code``, ``wrong_version``, ``in_use``.
    """


class SchemeInputError(InvalidInputError):
    """The values given cannot make a valid scheme part (422).

    Codes: ``required``, ``invalid`` (with ``fields``), ``pass_mark_above_maximum``,
    ``unknown_field``.
    """


class SchemeImpartialityError(ImpartialityError):
    """Code ``author_cannot_approve``: whoever drafted or edited a version cannot approve it."""

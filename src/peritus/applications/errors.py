"""Errors of the applications context, each with a stable code."""

from peritus.core.errors import DomainError, ImpartialityError, InvalidInputError, NotPermittedError


class ApplicationError(DomainError):
    """A rule about applications refused the action (409).

    Codes: ``invalid_status``, ``no_current_version``, ``application_open``,
    ``version_not_current``, ``incomplete`` (with ``missing``), ``no_open_request``,
    ``findings_contradict_outcome``, ``too_many_files``.
    """


class ApplicationInputError(InvalidInputError):
    """The values given are missing or malformed (422).

    Codes: ``required``, ``scope_not_in_version``, ``findings_incomplete``, ``unknown_prerequisite``,
    ``name_mismatch``, ``file_empty``, ``file_too_large``, ``file_type_not_allowed``,
    ``file_active_content``, ``extra_time_percent_required``, ``wrong_application``.
    """


class ApplicationNotPermittedError(NotPermittedError):
    """Codes: ``not_the_applicant`` (only the person applies for themselves),
    ``not_assigned_reviewer`` (another reviewer holds the review)."""


class EligibilityImpartialityError(ImpartialityError):
    """Codes: ``own_application`` (nobody reviews themselves), ``conflict_of_interest``
    (the reviewer declared a conflict with the applicant and no measure was approved),
    ``declaration_required`` (R13: a reviewer declares interests before reviewing)."""

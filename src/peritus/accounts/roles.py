"""Every role of a personnel certification body, defined in code (product.md §1).

The rows of `accounts.Role` are created from this list by a data migration; code refers to roles
only through `RoleCode`.
"""

from __future__ import annotations

import dataclasses

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoleCode(models.TextChoices):
    CERTIFICATION_OFFICER = "certification_officer", _("Certification officer")
    ELIGIBILITY_REVIEWER = "eligibility_reviewer", _("Eligibility reviewer")
    EXAMINER = "examiner", _("Examiner / marker")
    INVIGILATOR = "invigilator", _("Invigilator / proctor")
    ITEM_AUTHOR = "item_author", _("Item author")
    ITEM_REVIEWER = "item_reviewer", _("Item reviewer")
    PSYCHOMETRICIAN = "psychometrician", _("Psychometrician")
    DECISION_MAKER = "decision_maker", _("Decision maker")
    SCHEME_MANAGER = "scheme_manager", _("Scheme manager")
    SCHEME_COMMITTEE = "scheme_committee", _("Scheme committee member")
    QUALITY_MANAGER = "quality_manager", _("Quality manager")
    INTERNAL_AUDITOR = "internal_auditor", _("Internal auditor")
    IMPARTIALITY_COMMITTEE = "impartiality_committee", _("Impartiality committee member")
    APPEALS_PANEL = "appeals_panel", _("Appeals panel member")
    COMPLAINTS_HANDLER = "complaints_handler", _("Complaints handler")
    TOP_MANAGEMENT = "top_management", _("Top management")
    FINANCE_OFFICER = "finance_officer", _("Finance and sales officer")
    ASSESSOR = "assessor", _("Accreditation assessor")
    ADMINISTRATOR = "administrator", _("Administrator")


@dataclasses.dataclass(frozen=True)
class RoleDefinition:
    code: RoleCode
    description: str
    scheme_scoped: bool  # may be limited to one scheme
    needs_agreement: bool  # clause 6.1: acts only after the personnel agreement is accepted
    read_only: bool = False
    time_limited: bool = False  # an end date is mandatory


ROLE_DEFINITIONS: tuple[RoleDefinition, ...] = (
    RoleDefinition(
        RoleCode.CERTIFICATION_OFFICER,
        "Runs the application queue, schedules assessments, issues and reissues certificates.",
        True,
        True,
    ),
    RoleDefinition(
        RoleCode.ELIGIBILITY_REVIEWER,
        "Decides whether an application meets the scheme's prerequisites, with reasons.",
        True,
        True,
    ),
    RoleDefinition(
        RoleCode.EXAMINER,
        "Conducts and marks assessments; declares conflicts of interest per event.",
        True,
        True,
    ),
    RoleDefinition(
        RoleCode.INVIGILATOR,
        "Runs exam sessions: check-in, identity check, incidents, timing. Never scores.",
        True,
        True,
    ),
    RoleDefinition(RoleCode.ITEM_AUTHOR, "Writes exam items in the item bank.", True, True),
    RoleDefinition(RoleCode.ITEM_REVIEWER, "Reviews exam items written by others.", True, True),
    RoleDefinition(
        RoleCode.PSYCHOMETRICIAN,
        "Analyses exam statistics, sets cut scores, validates keys, retires items.",
        True,
        True,
    ),
    RoleDefinition(
        RoleCode.DECISION_MAKER,
        "Makes certification decisions on the complete file; never for a candidate they examined or trained.",
        True,
        True,
    ),
    RoleDefinition(
        RoleCode.SCHEME_MANAGER,
        "Owns a scheme: versions, requirements, validity and recertification rules.",
        True,
        True,
    ),
    RoleDefinition(
        RoleCode.SCHEME_COMMITTEE,
        "Approves scheme versions as a member of the scheme committee.",
        True,
        True,
    ),
    RoleDefinition(
        RoleCode.QUALITY_MANAGER,
        "Document control, internal audits, corrective actions, registers, management review.",
        False,
        True,
    ),
    RoleDefinition(
        RoleCode.INTERNAL_AUDITOR,
        "Audits the management system; never their own work.",
        False,
        True,
    ),
    RoleDefinition(
        RoleCode.IMPARTIALITY_COMMITTEE,
        "Reviews threats to impartiality and the body's safeguards.",
        False,
        True,
    ),
    RoleDefinition(
        RoleCode.APPEALS_PANEL, "Decides appeals they were not involved in.", False, True
    ),
    RoleDefinition(
        RoleCode.COMPLAINTS_HANDLER, "Handles complaints they were not involved in.", False, True
    ),
    RoleDefinition(
        RoleCode.TOP_MANAGEMENT, "Policies, commitments and management review outputs.", False, True
    ),
    RoleDefinition(
        RoleCode.FINANCE_OFFICER,
        "Fees, invoices and sales; kept apart from scoring, deciding and appeals.",
        False,
        True,
    ),
    RoleDefinition(
        RoleCode.ASSESSOR,
        "Accreditation assessor: read-only access to records and evidence packs, time-limited.",
        True,
        True,
        read_only=True,
        time_limited=True,
    ),
    RoleDefinition(RoleCode.ADMINISTRATOR, "Users, roles, settings and integrations.", False, True),
)

ROLE_BY_CODE = {definition.code.value: definition for definition in ROLE_DEFINITIONS}

# Combinations the standard forbids in one person (R16: commercial separation; 6.2: an
# independent assessor cannot also act for the body).
FORBIDDEN_COMBINATIONS: tuple[tuple[RoleCode, RoleCode, str], ...] = (
    (
        RoleCode.FINANCE_OFFICER,
        RoleCode.EXAMINER,
        "Sales and finance cannot be combined with scoring (4.3).",
    ),
    (
        RoleCode.FINANCE_OFFICER,
        RoleCode.DECISION_MAKER,
        "Sales and finance cannot be combined with certification decisions (4.3).",
    ),
    (
        RoleCode.FINANCE_OFFICER,
        RoleCode.APPEALS_PANEL,
        "Sales and finance cannot be combined with deciding appeals (4.3).",
    ),
    (
        RoleCode.ASSESSOR,
        RoleCode.ADMINISTRATOR,
        "An accreditation assessor only reads; they cannot administer the body's system.",
    ),
)

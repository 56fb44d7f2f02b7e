"""Use cases of applications and eligibility (clause 9.1), one module per actor's part."""

from peritus.applications.services.accommodations import (
    approve_accommodation,
    refuse_accommodation,
    request_accommodation,
)
from peritus.applications.services.applying import (
    accept_code_of_conduct,
    create_application,
    list_missing_for_submission,
    record_register_consent,
    sign_attestation,
    submission_digest,
    submit_application,
    update_application,
    withdraw_application,
)
from peritus.applications.services.evidence import (
    record_restricted_view,
    remove_evidence,
    upload_evidence,
)
from peritus.applications.services.review import (
    Finding,
    ResponseFile,
    find_eligible,
    find_not_eligible,
    release_review,
    request_more_information,
    respond_to_information_request,
    send_information_reminders,
    start_review,
)

__all__ = [
    "Finding",
    "ResponseFile",
    "accept_code_of_conduct",
    "approve_accommodation",
    "create_application",
    "find_eligible",
    "find_not_eligible",
    "list_missing_for_submission",
    "record_register_consent",
    "record_restricted_view",
    "refuse_accommodation",
    "release_review",
    "remove_evidence",
    "request_accommodation",
    "request_more_information",
    "respond_to_information_request",
    "send_information_reminders",
    "sign_attestation",
    "start_review",
    "submission_digest",
    "submit_application",
    "update_application",
    "upload_evidence",
    "withdraw_application",
]

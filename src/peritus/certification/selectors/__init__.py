"""Reads about decisions and certificates, including the public ones (verification, register).

The public reads are lean on purpose (product.md §5): verification is one indexed query on
`number_key` with the scheme joined, and computes the expired status at read time.
"""

from peritus.certification.selectors.keys import (
    PUBLISHED_KEYS_TTL_SECONDS,
    forget_published_keys,
    jwks_document,
    published_signing_keys,
)
from peritus.certification.selectors.records import (
    certificate_queryset,
    current_terms,
    decision_queryset,
    get_certificate_by_number,
    get_terms_acceptance,
    get_version,
    list_certificates,
    list_certificates_of_holder,
    list_decisions_of_application,
    list_decisions_of_person,
    list_grants_awaiting_certificate,
    list_status_changes,
    list_versions,
    terms_accepted_for,
)
from peritus.certification.selectors.register import (
    REGISTER_MAX_PAGES,
    REGISTER_MIN_TERM,
    REGISTER_PAGE_SIZE,
    RegisterEntry,
    RegisterPage,
    is_searchable,
    register_terms,
    search_register,
)
from peritus.certification.selectors.verification import (
    SealCheck,
    Verification,
    VerificationMiss,
    status_label,
    verify_certificate,
)

__all__ = [
    "PUBLISHED_KEYS_TTL_SECONDS",
    "REGISTER_MAX_PAGES",
    "REGISTER_MIN_TERM",
    "REGISTER_PAGE_SIZE",
    "RegisterEntry",
    "RegisterPage",
    "SealCheck",
    "Verification",
    "VerificationMiss",
    "certificate_queryset",
    "current_terms",
    "decision_queryset",
    "forget_published_keys",
    "get_certificate_by_number",
    "get_terms_acceptance",
    "get_version",
    "is_searchable",
    "jwks_document",
    "list_certificates",
    "list_certificates_of_holder",
    "list_decisions_of_application",
    "list_decisions_of_person",
    "list_grants_awaiting_certificate",
    "list_status_changes",
    "list_versions",
    "published_signing_keys",
    "register_terms",
    "search_register",
    "status_label",
    "terms_accepted_for",
    "verify_certificate",
]

# Lifecycle after issue (9.5, 9.6)
from peritus.certification.selectors.lifecycle import (
    get_open_suspension,
    list_bulk_items,
    list_bulk_operations,
    list_certificates_of_person,
    list_expiring,
    list_expiry_reminders,
    list_lifecycle_decisions,
    list_open_suspensions,
    list_suspensions,
)

__all__ += [
    "get_open_suspension",
    "list_bulk_items",
    "list_bulk_operations",
    "list_certificates_of_person",
    "list_expiring",
    "list_expiry_reminders",
    "list_lifecycle_decisions",
    "list_open_suspensions",
    "list_suspensions",
]

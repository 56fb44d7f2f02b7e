"""The public register: consenting holders of a current certificate (clause 9.4.9)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from peritus.certification.models import (
    Certificate,
)
from peritus.certification.numbers import parse_reference
from peritus.certification.selectors.verification import public_scope_line
from peritus.certification.status import (
    CertificateStatus,
)
from peritus.certification.validity import fold_name

REGISTER_PAGE_SIZE = 20
REGISTER_MAX_PAGES = 50
REGISTER_MIN_TERM = 3


@dataclasses.dataclass(frozen=True)
class RegisterEntry:
    number: str
    holder_name: str
    scheme_code: str
    scheme_name: str
    scope: list[dict[str, str]]
    status: str
    expires_on: dt.date


@dataclasses.dataclass(frozen=True)
class RegisterPage:
    entries: list[RegisterEntry]
    page: int
    has_next: bool
    searched: bool


REGISTER_CANDIDATE_CAP = 300
REGISTER_COLUMNS = (
    "number",
    "holder_name",
    "scope",
    "status",
    "expires_on",
    "scheme__code",
    "scheme__name",
)


def _register_rows(certificates: QuerySet[Certificate], *, start: int) -> list[Certificate]:
    """One page of matches in name order, whatever the fragment's frequency (product.md §5).

    A rare fragment is found fastest through the trigram index, a common one by walking the
    covering name index in order until a page is full; the planner cannot tell them apart from
    its statistics. So up to a few hundred matches are first collected unordered: below the cap
    they are sorted by their keys; at the cap the fragment is common, and the ordered walk
    (index-only on PostgreSQL) fills a page within a few thousand entries.
    """
    ids = list(certificates.order_by().values_list("pk", flat=True)[: REGISTER_CANDIDATE_CAP + 1])
    if len(ids) > REGISTER_CANDIDATE_CAP:
        ids = list(
            certificates.order_by("sort_name", "pk").values_list("pk", flat=True)[
                start : start + REGISTER_PAGE_SIZE + 1
            ]
        )
        start = 0
    return list(
        Certificate.objects.filter(pk__in=ids)
        .select_related("scheme")
        .only(*REGISTER_COLUMNS)
        .order_by("sort_name", "pk")[start : start + REGISTER_PAGE_SIZE + 1]
    )


def register_terms(query: str) -> list[str]:
    return [term for term in fold_name(query).split() if term][:5]


def is_searchable(query: str) -> bool:
    """A register search needs one term of three letters (the trigram index needs them)."""
    return any(len(term) >= REGISTER_MIN_TERM for term in register_terms(query)) or any(
        reading.check_ok for reading in parse_reference(query)
    )


def search_register(
    *, query: str, scheme_id: int | None = None, page: int = 1, today: dt.date | None = None
) -> RegisterPage:
    """Consenting holders of a current certificate matching `query` (a name or a number).

    Only certificates whose holder consented are listed (clause 9.4.9); suspended ones show as
    suspended; expired and withdrawn ones are not listed (verification by number still answers).
    """
    today = today or timezone.localdate()
    page = max(1, min(page, REGISTER_MAX_PAGES))
    if not is_searchable(query):
        return RegisterPage([], page, has_next=False, searched=False)
    certificates = Certificate.objects.filter(
        register_listed=True,
        status__in=[CertificateStatus.VALID, CertificateStatus.SUSPENDED],
        expires_on__gte=today,
    )
    numbers = [reading.key for reading in parse_reference(query) if reading.check_ok]
    if numbers:
        certificates = certificates.filter(number_key__in=numbers)
    else:
        for term in register_terms(query):
            certificates = certificates.filter(sort_name__contains=term)
    if scheme_id is not None:
        certificates = certificates.filter(scheme_id=scheme_id)
    start = (page - 1) * REGISTER_PAGE_SIZE
    rows = _register_rows(certificates, start=start)
    entries = [
        RegisterEntry(
            number=row.number,
            holder_name=row.holder_name,
            scheme_code=row.scheme.code,
            scheme_name=row.scheme.name,
            scope=[public_scope_line(line) for line in row.scope],
            status=row.status,
            expires_on=row.expires_on,
        )
        for row in rows[:REGISTER_PAGE_SIZE]
    ]
    return RegisterPage(entries, page, has_next=len(rows) > REGISTER_PAGE_SIZE, searched=True)

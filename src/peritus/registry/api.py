"""The public verification endpoint: exactly the keys of product.md §3 (a contract)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from peritus.certification.selectors import VerificationMiss, verify_certificate
from peritus.registry.views import MAX_NUMBER_LENGTH, REVALIDATE, within_rate

router = Router(tags=["verification"])


class SchemeRefOut(Schema):
    code: str
    name: str
    version: str


class ScopeLineOut(Schema):
    code: str
    title: str
    level: str
    limitations: str


class VerificationOut(Schema):
    certificate_number: str
    holder_name: str
    scheme: SchemeRefOut
    scope: list[ScopeLineOut]
    status: str
    status_since: dt.date
    issued_on: dt.date
    expires_on: dt.date


class PublicErrorOut(Schema):
    code: str
    message: str


@router.get(
    "/certificates/{number}/verification",
    auth=None,
    url_name="verification",
    response={200: VerificationOut, 404: PublicErrorOut, 429: PublicErrorOut},
    summary="Public status of a certificate (valid, suspended, withdrawn, expired, superseded)",
)
def verification(request: HttpRequest, response: HttpResponse, number: str) -> Any:
    if not within_rate(request, "verify"):
        response["Retry-After"] = "60"
        return Status(
            429, {"code": "rate_limited", "message": _("Too many requests. Try again in a minute.")}
        )
    response["Cache-Control"] = REVALIDATE
    result = verify_certificate(number[:MAX_NUMBER_LENGTH])
    if isinstance(result, VerificationMiss):
        return Status(404, miss_error(result))
    # Serialised here, not by the schema: this endpoint is the hot path of verification at scale
    # (product.md §5), and VerificationOut documents exactly what as_public_json() returns.
    return JsonResponse(result.as_public_json(), headers={"Cache-Control": REVALIDATE})


def miss_error(miss: VerificationMiss) -> dict[str, str]:
    """The 404 body: `mistyped_number` when no reading of the text has a valid check character."""
    if miss.typo:
        return {
            "code": "mistyped_number",
            "message": _(
                "No certificate has this number, and its check character does not "
                "match: it was probably mistyped."
            ),
        }
    return {"code": "not_found", "message": _("No certificate has this number.")}

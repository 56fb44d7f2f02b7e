"""The audit sample (R21: CPD claims are sampled for audit), drawn so it cannot be gamed.

The draw is an HMAC of the certificate number, the kind of submission and the date it answers,
keyed with a secret of the body (`PERITUS_SAMPLING_SECRET`, else the site's secret key). It is
uniform in [0, 1) and the submission is sampled when it falls below the policy's rate. The key and
the draw are recorded on the submission and in the audit trail, so an assessor can see what was
drawn; submitting again for the same date draws the same number, and a submission once sampled
keeps every later one for that date sampled. Nobody can choose the outcome without the secret.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
from decimal import ROUND_DOWN, Decimal

from django.conf import settings

SCALE = Decimal(2**64)


@dataclasses.dataclass(frozen=True)
class Draw:
    key: str
    value: Decimal
    percent: Decimal
    selected: bool


def _secret() -> bytes:
    secret = getattr(settings, "PERITUS_SAMPLING_SECRET", "") or settings.SECRET_KEY
    return str(secret).encode()


def sample_key(number: str, kind: str, due_on: dt.date) -> str:
    return f"{number}|{kind}|{due_on.isoformat()}"


def draw(key: str, percent: Decimal, *, already_selected: bool = False) -> Draw:
    """The keyed draw for `key`; sampled when below `percent` / 100 (or once sampled before)."""
    digest = hmac.new(_secret(), key.encode(), hashlib.sha256).digest()
    value = (Decimal(int.from_bytes(digest[:8], "big")) / SCALE).quantize(
        Decimal("0.000001"), rounding=ROUND_DOWN
    )
    selected = already_selected or value < percent / Decimal(100)
    return Draw(key=key, value=value, percent=percent, selected=selected)

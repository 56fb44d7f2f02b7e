from __future__ import annotations

import datetime as dt

from peritus.compliance.services import flag_possible_retaliation
from peritus.scheduling.registry import register_job


@register_job("compliance-retaliation-flags", every=dt.timedelta(hours=6))
def retaliation_flags(now: dt.datetime) -> str:
    """Flag adverse decisions about people who appealed or complained shortly before (R25)."""
    return f"{len(flag_possible_retaliation(now=now))} possible retaliations flagged"

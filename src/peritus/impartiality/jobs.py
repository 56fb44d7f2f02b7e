from __future__ import annotations

import datetime as dt

from peritus.impartiality.services import remind_overdue_risk_reviews
from peritus.scheduling.registry import register_job


@register_job("impartiality-risk-reviews", every=dt.timedelta(days=1))
def risk_reviews(now: dt.datetime) -> str:
    """Remind the impartiality committee of the risk reviews that are due."""
    return f"{remind_overdue_risk_reviews(now=now)} risk reviews reminded"

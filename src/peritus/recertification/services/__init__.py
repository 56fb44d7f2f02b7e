"""Use cases of the recertification context (one module per capability, re-exported here)."""

from peritus.recertification.services.cpd import log_cpd_activity, set_recertification_policy
from peritus.recertification.services.notices import (
    send_surveillance_notices,
    send_window_opened_notices,
)
from peritus.recertification.services.review import (
    decide_recertification,
    review_submission,
    suspend_after_surveillance,
)
from peritus.recertification.services.submissions import (
    submit_recertification,
    submit_surveillance,
)

__all__ = [
    "decide_recertification",
    "log_cpd_activity",
    "review_submission",
    "send_surveillance_notices",
    "send_window_opened_notices",
    "set_recertification_policy",
    "submit_recertification",
    "submit_surveillance",
    "suspend_after_surveillance",
]

"""Use cases of the appeals context (one module per capability, re-exported here)."""

from peritus.appeals.services.decisions import (
    add_appeal_action,
    close_appeal,
    complete_appeal_action,
    decide_appeal,
    link_new_decision,
    raise_corrective_action_from_appeal,
    reinstate_after_appeal,
    request_new_decision,
    withdraw_appeal,
)
from peritus.appeals.services.intake import lodge_appeal, record_acknowledgement, record_appeal
from peritus.appeals.services.review import (
    add_appeal_note,
    admit_appeal,
    assign_panel_member,
    declare_panel_interests,
    reject_appeal,
    send_appeal_update,
)
from peritus.appeals.services.watch import WatchReport, watch_appeal_deadlines

__all__ = [
    "WatchReport",
    "add_appeal_action",
    "add_appeal_note",
    "admit_appeal",
    "assign_panel_member",
    "close_appeal",
    "complete_appeal_action",
    "decide_appeal",
    "declare_panel_interests",
    "link_new_decision",
    "lodge_appeal",
    "raise_corrective_action_from_appeal",
    "record_acknowledgement",
    "record_appeal",
    "reinstate_after_appeal",
    "reject_appeal",
    "request_new_decision",
    "send_appeal_update",
    "watch_appeal_deadlines",
    "withdraw_appeal",
]

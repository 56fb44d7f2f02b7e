from django.db import models
from django.utils.translation import gettext_lazy as _


class QmsEvent(models.TextChoices):
    CORRECTIVE_ACTION_RAISED = (
        "qms.corrective_action.raised",
        _("A corrective or preventive action was raised"),
    )
    ROOT_CAUSE_RECORDED = (
        "qms.corrective_action.root_cause_recorded",
        _("The root cause of a corrective action was recorded"),
    )
    STEP_ADDED = "qms.action_step.added", _("An action was planned, with an owner and a due date")
    STEP_COMPLETED = "qms.action_step.completed", _("A planned action was done")
    IMPLEMENTED = (
        "qms.corrective_action.implemented",
        _("Every planned action was done; effectiveness is to be checked"),
    )
    EFFECTIVENESS_CHECKED = (
        "qms.corrective_action.effectiveness_checked",
        _("The effectiveness of a corrective action was checked"),
    )
    CLOSED = "qms.corrective_action.closed", _("A corrective action was closed")
    CANCELLED = "qms.corrective_action.cancelled", _("A corrective action was cancelled")
    OVERDUE = (
        "qms.corrective_action.overdue",
        _("A corrective action or one of its steps is overdue"),
    )

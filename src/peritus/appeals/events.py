from django.db import models
from django.utils.translation import gettext_lazy as _


class AppealsEvent(models.TextChoices):
    RECEIVED = "appeals.appeal.received", _("An appeal was received")
    ACKNOWLEDGED = "appeals.appeal.acknowledged", _("The appeal was acknowledged to the appellant")
    ADMITTED = "appeals.appeal.admitted", _("The appeal was found admissible and goes to a panel")
    NOT_ADMISSIBLE = "appeals.appeal.not_admissible", _("The appeal was found not admissible")
    PANEL_MEMBER_ASSIGNED = (
        "appeals.panel_membership.assigned",
        _("A member was assigned to the appeals panel"),
    )
    PANEL_MEMBER_DECLARED = (
        "appeals.panel_membership.declared",
        _("A panel member declared no conflict of interest for the appeal"),
    )
    PANEL_MEMBER_RECUSED = (
        "appeals.panel_membership.recused",
        _("A panel member left the panel after declaring a conflict of interest"),
    )
    NOTE_ADDED = "appeals.appeal.note_added", _("An investigation note was added")
    UPDATE_SENT = (
        "appeals.appeal.update_sent",
        _("The appellant was told how the appeal progresses"),
    )
    DECIDED = "appeals.appeal.decided", _("The appeals panel decided, with reasons")
    WITHDRAWN = "appeals.appeal.withdrawn", _("The appellant withdrew the appeal")
    ACTION_ADDED = "appeals.action.added", _("An action resulting from the appeal was recorded")
    ACTION_DONE = "appeals.action.done", _("An action resulting from the appeal was done")
    CLOSED = "appeals.appeal.closed", _("The appeal was closed")
    OVERDUE = "appeals.appeal.overdue", _("A deadline of the appeal was missed")

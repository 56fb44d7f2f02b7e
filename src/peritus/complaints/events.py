from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplaintEvent(models.TextChoices):
    RECEIVED = "complaints.complaint.received", _("A complaint was received")
    ACKNOWLEDGED = "complaints.complaint.acknowledged", _("A complaint was acknowledged")
    ACCEPTED = "complaints.complaint.accepted", _("A complaint was validated as a complaint")
    REJECTED = (
        "complaints.complaint.rejected",
        _("A complaint was rejected as not a complaint, with reasons"),
    )
    HANDLER_ASSIGNED = "complaints.complaint.handler_assigned", _("A handler was assigned")
    HANDLER_DECLARED = (
        "complaints.complaint.handler_declared",
        _("The handler declared no involvement and no conflict of interest"),
    )
    NOTE_ADDED = "complaints.complaint.note_added", _("An investigation note was added")
    PROGRESS_REPORTED = (
        "complaints.complaint.progress_reported",
        _("The complainant was told how the complaint progresses"),
    )
    RESOLVED = "complaints.complaint.resolved", _("The outcome of a complaint was given")
    CLOSED = "complaints.complaint.closed", _("A complaint was closed")
    WITHDRAWN = "complaints.complaint.withdrawn", _("A complaint was withdrawn")
    OVERDUE = "complaints.complaint.overdue", _("A deadline of a complaint was missed")
    SUSPENSION_PROPOSED = (
        "complaints.suspension.proposed",
        _("A suspension was proposed to the decision makers"),
    )
    SUSPENSION_DECIDED = (
        "complaints.suspension.decided",
        _("A decision maker decided on a proposed suspension"),
    )
    CORRECTIVE_ACTION_RAISED = (
        "complaints.complaint.corrective_action_raised",
        _("A corrective action was raised from a complaint"),
    )

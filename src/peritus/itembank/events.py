from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemBankEvent(models.TextChoices):
    """Audit events. Payloads carry identifiers and codes, never item text (7.3/7.4)."""

    BANK_CREATED = "itembank.item_bank.created", _("An item bank was created")
    ITEM_CREATED = "itembank.item.created", _("An item was written")
    ITEM_REVISED = "itembank.item.revised", _("A new version of an item was written")
    ITEM_SUBMITTED = "itembank.item.submitted", _("An item was sent for review")
    ITEM_APPROVED = "itembank.item.approved", _("An item was approved by a reviewer")
    ITEM_RETURNED = "itembank.item.returned", _("A reviewer asked for changes to an item")
    ITEM_PILOTED = "itembank.item.piloted", _("An item was put into pilot")
    ITEM_MADE_OPERATIONAL = "itembank.item.made_operational", _("An item became operational")
    ITEM_RETIRED = "itembank.item.retired", _("An item was retired")
    ITEM_CLASSIFIED = (
        "itembank.item.classified",
        _("An item's domain, level, tags or enemies changed"),
    )
    ITEMS_RESTED = "itembank.item.rested", _("Over-exposed items were rested")
    STATISTICS_RECORDED = "itembank.item_statistics.recorded", _("Item statistics were recorded")
    PACKAGE_IMPORTED = "itembank.qti_package.imported", _("A QTI package was imported")
    PACKAGE_REFUSED = "itembank.qti_package.refused", _("A QTI package was refused")
    BANK_EXPORTED = "itembank.item_bank.exported", _("An item bank was exported as QTI")
    BLUEPRINT_CREATED = "itembank.blueprint.created", _("A blueprint was drafted")
    BLUEPRINT_APPROVED = "itembank.blueprint.approved", _("A blueprint was approved")
    FORM_ASSEMBLED = "itembank.exam_form.assembled", _("An exam form was assembled")
    FORM_SUBMITTED = "itembank.exam_form.submitted", _("An exam form was sent for review")
    FORM_APPROVED = "itembank.exam_form.approved", _("An exam form was approved and frozen")
    FORM_RETURNED = "itembank.exam_form.returned", _("An exam form was returned for changes")
    FORM_RETIRED = "itembank.exam_form.retired", _("An exam form was retired")
    FORM_PRINTED = "itembank.exam_form.printed", _("A paper booklet or key of a form was produced")


# Exam statistics and standard setting: their own event types, listed here for the audit registry.
from peritus.itembank.statistics.events import StatisticsEvent  # noqa: E402

__all__ = ["ItemBankEvent", "StatisticsEvent"]

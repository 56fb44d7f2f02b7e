"""Audit events of exam statistics and standard setting.

Payloads carry identifiers, codes and figures, never item text, keys or candidates' answers
(7.3/7.4).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StatisticsEvent(models.TextChoices):
    RESPONSES_RECORDED = (
        "itembank.form_administration.recorded",
        _("Responses of an administration of an exam form were recorded"),
    )
    ANALYSIS_RUN = "itembank.form_analysis.run", _("The statistics of an exam form were computed")
    REPORT_EXPORTED = (
        "itembank.form_analysis.exported",
        _("The full statistics report of an exam form was downloaded"),
    )
    POLICY_SET = (
        "itembank.statistics_review_policy.set",
        _("The interval of exam statistics reviews was set"),
    )
    REVIEW_OPENED = "itembank.statistics_review.opened", _("A review of exam statistics was opened")
    REVIEW_CLOSED = (
        "itembank.statistics_review.closed",
        _("A review of exam statistics was closed with a conclusion"),
    )
    STUDY_OPENED = (
        "itembank.standard_setting_study.opened",
        _("A standard-setting study was opened"),
    )
    JUDGE_DECLARED = (
        "itembank.standard_setting_study.judge_declared",
        _("A judge declared their interests for a standard-setting study"),
    )
    JUDGE_REMOVED = (
        "itembank.standard_setting_study.judge_removed",
        _("A judge was removed from a standard-setting study"),
    )
    ROUND_OPENED = (
        "itembank.standard_setting_study.round_opened",
        _("A round of standard-setting ratings was opened"),
    )
    RATINGS_SAVED = (
        "itembank.standard_setting_study.ratings_saved",
        _("A judge saved standard-setting ratings"),
    )
    RATINGS_SUBMITTED = (
        "itembank.standard_setting_study.ratings_submitted",
        _("A judge submitted their ratings for a round"),
    )
    ROUND_CLOSED = (
        "itembank.standard_setting_study.round_closed",
        _("A round of standard-setting ratings was closed"),
    )
    CUT_COMPUTED = (
        "itembank.standard_setting_study.computed",
        _("A cut score was computed and proposed for approval"),
    )
    CUT_APPROVED = (
        "itembank.standard_setting_study.approved",
        _("A cut score was approved by someone other than the facilitator"),
    )
    CUT_REJECTED = (
        "itembank.standard_setting_study.rejected",
        _("A proposed cut score was sent back"),
    )
    STUDY_CANCELLED = (
        "itembank.standard_setting_study.cancelled",
        _("A standard-setting study was cancelled"),
    )
    PASS_RULE_SET = (
        "itembank.exam_form.pass_rule_set",
        _("An approved cut score became an exam form's pass rule"),
    )
    FORM_RELEASED = (
        "itembank.exam_form.released",
        _("An exam form was released for use with an approved cut score"),
    )

"""Standard setting by modified Angoff (clause 9.3.1, R18), as a workflow.

The facilitator (a psychometrician of the scheme) opens a study of a frozen form with judges
chosen from staff who know the field (examiners, item authors and reviewers, psychometricians,
the scheme's manager and committee), never trainers or invigilators (R15) and never themself.
Each judge declares their interests, then rates every item in rounds; between rounds the panel
discusses the impact data of the round (its cut, the spread of judges, the pass rate it would
give on recorded responses, the items' p-values). The cut is computed by
`peritus.psychometrics.standard_setting.modified_angoff` with its standard error and inter-judge
statistics (Hofstee and Beuk as compromise checks when judges give those judgements and
responses exist). Approved by someone other than the facilitator, its pass mark becomes the
form's pass rule (audited); a form is released for use only with one (R18).

Error codes: `StudyAccessError` (403) ``not_facilitator``, ``not_a_judge``;
`ItemImpartialityError` (403) ``facilitator_is_judge``, ``approver_ran_study``,
``conflict_declared``; `ItemAccessError` (403) ``information_barrier``; `ItemBankError` (409)
``form_not_approved``, ``study_open``, ``wrong_status``, ``round_not_open``, ``no_rounds_left``,
``round_submitted``, ``ratings_incomplete``, ``declaration_required``, ``study_closed``;
`ItemInputError` (422) ``description_required``, ``invalid_rounds``, ``too_few_judges``,
``judge_not_eligible``, ``duplicate_judge``, ``discussion_notes_required``,
``item_not_in_study``, ``rating_out_of_range``, ``bad_judgements``, ``note_required``,
``reason_required``, ``comment_required``, ``pass_mark_out_of_range``, ``rationale_required``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import has_role
from peritus.audit_trail.services import record_event
from peritus.core.errors import NotPermittedError
from peritus.itembank.errors import (
    ItemAccessError,
    ItemBankError,
    ItemImpartialityError,
    ItemInputError,
)
from peritus.itembank.models import ExamForm, FormStatus
from peritus.itembank.rules import behind_information_barrier
from peritus.itembank.services.items import require_item_role
from peritus.itembank.statistics.angoff import active_judges, round_impact
from peritus.itembank.statistics.events import StatisticsEvent
from peritus.itembank.statistics.models import (
    ACTIVE_STUDY_STATUSES,
    AngoffRating,
    StandardSettingStudy,
    StudyJudge,
    StudyRound,
    StudyStatus,
)
from peritus.itembank.statistics.rules import JUDGE_ROLES
from peritus.itembank.statistics.selectors import form_items_of
from peritus.notifications.services import queue_notification

MIN_JUDGES = 2
MAX_ROUNDS = 5
HUNDRED = Decimal(100)


class StudyAccessError(NotPermittedError):
    """Codes ``not_facilitator`` (only the study's facilitator runs it) and ``not_a_judge``."""


@dataclasses.dataclass(frozen=True)
class CompromiseJudgements:
    """A judge's Hofstee (1983) and Beuk (1984) judgements, all in percent."""

    hofstee_min_cut: Decimal
    hofstee_max_cut: Decimal
    hofstee_min_fail: Decimal
    hofstee_max_fail: Decimal
    beuk_cut: Decimal
    beuk_pass_rate: Decimal


def lock_study(study: StandardSettingStudy) -> StandardSettingStudy:
    return (
        StandardSettingStudy.objects.select_for_update()
        .select_related("form__blueprint__bank")
        .get(pk=study.pk)
    )


def require_facilitator(actor: Any, study: StandardSettingStudy) -> None:
    require_item_role(actor, RoleCode.PSYCHOMETRICIAN, study.form.blueprint.bank)
    if actor is not None and actor.pk != study.facilitator_id:
        raise StudyAccessError(
            "not_facilitator", _("Only the psychometrician who runs this study can do this.")
        )


def _check_judge(user: Any, *, scheme_id: int, facilitator: Any) -> None:
    if user.pk == facilitator.pk:
        raise ItemImpartialityError(
            "facilitator_is_judge", _("The facilitator of a study is not one of its judges.")
        )
    if not any(has_role(user, role, scheme_id=scheme_id) for role in JUDGE_ROLES):
        raise ItemInputError(
            "judge_not_eligible",
            _("%(name)s holds no role that qualifies them as a judge for this scheme.")
            % {"name": user},
        )
    if behind_information_barrier(user):
        raise ItemAccessError(
            "information_barrier",
            _("%(name)s invigilates or trains candidates and never sees exam items (R15).")
            % {"name": user},
        )


@transaction.atomic(durable=True)
def open_standard_setting_study(
    *,
    actor: Any,
    form: ExamForm,
    judges: Sequence[Any],
    candidate_description: str,
    max_rounds: int = 2,
    collect_compromise: bool = True,
) -> StandardSettingStudy:
    """Open a modified-Angoff study of a frozen form with its judges."""
    form = ExamForm.objects.select_for_update().select_related("blueprint__bank").get(pk=form.pk)
    bank = form.blueprint.bank
    require_item_role(actor, RoleCode.PSYCHOMETRICIAN, bank)
    if form.status != FormStatus.APPROVED:
        raise ItemBankError(
            "form_not_approved", _("A cut score is set on an approved (frozen) form.")
        )
    if StandardSettingStudy.objects.filter(form=form, status__in=ACTIVE_STUDY_STATUSES).exists():
        raise ItemBankError("study_open", _("A standard-setting study of this form is running."))
    if not candidate_description.strip():
        raise ItemInputError(
            "description_required",
            _("Describe the minimally competent candidate the judges rate against."),
        )
    if not 1 <= max_rounds <= MAX_ROUNDS:
        raise ItemInputError(
            "invalid_rounds", _("A study has between 1 and %(n)d rounds.") % {"n": MAX_ROUNDS}
        )
    if len({judge.pk for judge in judges}) != len(judges):
        raise ItemInputError("duplicate_judge", _("A judge is listed twice."))
    if len(judges) < MIN_JUDGES:
        raise ItemInputError(
            "too_few_judges", _("A study needs at least %(n)d judges.") % {"n": MIN_JUDGES}
        )
    for judge in judges:
        _check_judge(judge, scheme_id=bank.scheme_id, facilitator=actor)
    study = StandardSettingStudy.objects.create(
        form=form, facilitator=actor, candidate_description=candidate_description.strip(),
        max_rounds=max_rounds, collect_compromise=collect_compromise,
    )  # fmt: skip
    StudyJudge.objects.bulk_create(
        StudyJudge(study=study, user=judge, added_by=actor) for judge in judges
    )
    record_event(
        StatisticsEvent.STUDY_OPENED, actor=actor, subject=study, related=[form, *judges],
        data={"form": form.code, "method": study.method, "judges": len(judges),
              "max_rounds": max_rounds},
    )  # fmt: skip
    return study


def _judge_of(actor: Any, study: StandardSettingStudy) -> StudyJudge:
    judge = (
        study.judges.filter(user_id=getattr(actor, "pk", 0), removed_at__isnull=True)
        .select_for_update()
        .first()
    )
    if judge is None:
        raise StudyAccessError("not_a_judge", _("You are not a judge of this study."))
    if behind_information_barrier(actor):
        raise ItemAccessError(
            "information_barrier",
            _("Invigilators and trainers of candidates never handle exam items (R15)."),
        )
    return judge


@transaction.atomic(durable=True)
def declare_judge_interests(
    *, actor: Any, study: StandardSettingStudy, conflict: bool, note: str = ""
) -> StudyJudge:
    """A judge declares, before rating, whether they have an interest in this form's outcome
    (they trained candidates for it, a relative sits it …). A declared conflict stops them rating."""
    study = lock_study(study)
    judge = _judge_of(actor, study)
    if study.status not in ACTIVE_STUDY_STATUSES:
        raise ItemBankError("study_closed", _("This study is no longer running."))
    if conflict and not note.strip():
        raise ItemInputError("note_required", _("Describe the interest you declare."))
    judge.declared_at = timezone.now()
    judge.conflict_declared = conflict
    judge.declaration_note = note.strip()
    judge.save(update_fields=["declared_at", "conflict_declared", "declaration_note", "updated_at"])
    record_event(
        StatisticsEvent.JUDGE_DECLARED, actor=actor, subject=study, related=[judge],
        data={"conflict": conflict},
    )  # fmt: skip
    return judge


@transaction.atomic(durable=True)
def remove_judge(
    *, actor: Any, study: StandardSettingStudy, judge: StudyJudge, reason: str
) -> StudyJudge:
    """Take a judge off the panel (a declared conflict, unavailability); their ratings no longer
    count. The record of their judging stays."""
    study = lock_study(study)
    require_facilitator(actor, study)
    if study.status not in (StudyStatus.SETUP, StudyStatus.ROUND_OPEN, StudyStatus.BETWEEN_ROUNDS):
        raise ItemBankError("wrong_status", _("Judges change only before the cut is computed."))
    if not reason.strip():
        raise ItemInputError("reason_required", _("Say why the judge leaves the panel."))
    judge = StudyJudge.objects.select_for_update().get(pk=judge.pk, study=study)
    if judge.removed_at is not None:
        raise ItemBankError("wrong_status", _("This judge has already left the panel."))
    if len(active_judges(study)) <= MIN_JUDGES:
        raise ItemInputError(
            "too_few_judges", _("A study needs at least %(n)d judges.") % {"n": MIN_JUDGES}
        )
    judge.removed_at = timezone.now()
    judge.removal_reason = reason.strip()[:300]
    judge.save(update_fields=["removed_at", "removal_reason", "updated_at"])
    record_event(
        StatisticsEvent.JUDGE_REMOVED, actor=actor, subject=study, related=[judge.user],
        reason=judge.removal_reason, data={"judge": judge.pk},
    )  # fmt: skip
    return judge


@transaction.atomic(durable=True)
def open_rating_round(
    *, actor: Any, study: StandardSettingStudy, discussion_notes: str = ""
) -> StudyRound:
    """Open the next round. From round 2 on, the discussion of the last round's impact data is
    recorded first."""
    study = lock_study(study)
    require_facilitator(actor, study)
    if study.status not in (StudyStatus.SETUP, StudyStatus.BETWEEN_ROUNDS):
        raise ItemBankError("wrong_status", _("A round is open, or the study has ended."))
    number = study.current_round + 1
    if number > study.max_rounds:
        raise ItemBankError(
            "no_rounds_left", _("All %(n)d rounds were held.") % {"n": study.max_rounds}
        )
    judges = active_judges(study)
    if len(judges) < MIN_JUDGES:
        raise ItemInputError(
            "too_few_judges", _("A study needs at least %(n)d judges.") % {"n": MIN_JUDGES}
        )
    if number > 1:
        if not discussion_notes.strip():
            raise ItemInputError(
                "discussion_notes_required",
                _("Record what the panel discussed after round %(n)d.") % {"n": number - 1},
            )
        StudyRound.objects.filter(study=study, number=number - 1).update(
            discussion_notes=discussion_notes.strip(), updated_at=timezone.now()
        )
    study.open_round()
    study.current_round = number
    study.save(update_fields=["status", "current_round", "updated_at"])
    study_round = StudyRound.objects.create(study=study, number=number)
    record_event(
        StatisticsEvent.ROUND_OPENED, actor=actor, subject=study, related=[study.form],
        data={"round": number, "judges": len(judges)},
    )  # fmt: skip
    for judge in judges:
        queue_notification(
            template="itembank_standard_setting_round", recipient_email=judge.user.email,
            recipient_user=judge.user, subject=study,
            context={"form": study.form.code, "round": number, "study": study.pk},
        )  # fmt: skip
    return study_round


def _percent(value: Any, *, code: str, message: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ItemInputError(code, message) from None
    if not number.is_finite() or not 0 <= number <= HUNDRED:
        raise ItemInputError(code, message)
    return number.quantize(Decimal("0.01"))


@transaction.atomic(durable=True)
def save_angoff_ratings(
    *,
    actor: Any,
    study: StandardSettingStudy,
    ratings: Mapping[int, Any],
    compromise: CompromiseJudgements | None = None,
    submit: bool = False,
) -> StudyJudge:
    """A judge's ratings in the open round (percent of each item's points the minimally
    competent candidate earns); `submit` hands in the round, complete."""
    study = lock_study(study)
    judge = _judge_of(actor, study)
    if study.status != StudyStatus.ROUND_OPEN:
        raise ItemBankError("round_not_open", _("No round is open for ratings."))
    if judge.declared_at is None:
        raise ItemBankError(
            "declaration_required", _("Declare your interests before you rate the items.")
        )
    if judge.conflict_declared:
        raise ItemImpartialityError(
            "conflict_declared", _("You declared a conflict of interest; you do not rate.")
        )
    if judge.rounds_submitted >= study.current_round:
        raise ItemBankError("round_submitted", _("You already submitted this round."))
    versions = {item.version_id for item in form_items_of(study.form)}
    clean: dict[int, Decimal] = {}
    for version_id, value in ratings.items():
        if int(version_id) not in versions:
            raise ItemInputError(
                "item_not_in_study", _("An item rated is not on the form of this study.")
            )
        clean[int(version_id)] = _percent(
            value, code="rating_out_of_range", message=_("A rating lies between 0 and 100.")
        )
    existing = {
        rating.item_version_id: rating
        for rating in AngoffRating.objects.filter(judge=judge, round_number=study.current_round)
    }
    new, changed = [], []
    for version_id, value in clean.items():
        if version_id in existing:
            existing[version_id].rating = value
            changed.append(existing[version_id])
        else:
            new.append(AngoffRating(judge=judge, round_number=study.current_round,
                                    item_version_id=version_id, rating=value))  # fmt: skip
    AngoffRating.objects.bulk_create(new)
    if changed:
        AngoffRating.objects.bulk_update(changed, ["rating", "updated_at"])
    if compromise is not None:
        _save_compromise(judge, compromise)
    rated = len(existing.keys() | clean.keys())
    if submit:
        if rated < len(versions):
            raise ItemBankError(
                "ratings_incomplete",
                _("Rate every item before you submit: %(missing)d still to rate.")
                % {"missing": len(versions) - rated},
            )
        judge.rounds_submitted = study.current_round
        judge.save(update_fields=["rounds_submitted", "updated_at"])
    record_event(
        StatisticsEvent.RATINGS_SUBMITTED if submit else StatisticsEvent.RATINGS_SAVED,
        actor=actor, subject=study, related=[judge],
        data={"round": study.current_round, "rated": rated, "items": len(versions)},
    )  # fmt: skip
    return judge


def _save_compromise(judge: StudyJudge, values: CompromiseJudgements) -> None:
    message = _("Compromise judgements are percentages between 0 and 100.")
    clean = {
        field.name: _percent(getattr(values, field.name), code="bad_judgements", message=message)
        for field in dataclasses.fields(values)
    }
    if not clean["hofstee_min_cut"] < clean["hofstee_max_cut"] or not (
        clean["hofstee_min_fail"] < clean["hofstee_max_fail"]
    ):
        raise ItemInputError(
            "bad_judgements",
            _("The lowest acceptable cut and failure rate must be below the highest."),
        )
    for name, value in clean.items():
        setattr(judge, name, value)
    judge.save(update_fields=[*clean, "updated_at"])


@transaction.atomic(durable=True)
def close_rating_round(*, actor: Any, study: StandardSettingStudy) -> StudyRound:
    """Close the open round once every judge on the panel submitted; compute its impact data."""
    study = lock_study(study)
    require_facilitator(actor, study)
    if study.status != StudyStatus.ROUND_OPEN:
        raise ItemBankError("round_not_open", _("No round is open."))
    judges = active_judges(study)
    waiting = [judge for judge in judges if judge.rounds_submitted < study.current_round]
    if waiting:
        raise ItemBankError(
            "ratings_incomplete",
            _("%(n)d judge(s) have not submitted this round yet.") % {"n": len(waiting)},
        )
    impact = round_impact(study, study.current_round, judges)
    study_round = StudyRound.objects.get(study=study, number=study.current_round)
    study_round.closed_at = timezone.now()
    study_round.impact = impact
    study_round.save(update_fields=["closed_at", "impact", "updated_at"])
    study.close_round()
    study.save(update_fields=["status", "updated_at"])
    record_event(
        StatisticsEvent.ROUND_CLOSED, actor=actor, subject=study, related=[study.form],
        data={"round": study.current_round, "cut_score": impact["cut_score"]},
    )  # fmt: skip
    return study_round


@transaction.atomic(durable=True)
def cancel_study(*, actor: Any, study: StandardSettingStudy, reason: str) -> StandardSettingStudy:
    study = lock_study(study)
    require_facilitator(actor, study)
    if study.status not in ACTIVE_STUDY_STATUSES:
        raise ItemBankError("wrong_status", _("This study has already ended."))
    if not reason.strip():
        raise ItemInputError("reason_required", _("Say why the study is cancelled."))
    study.cancel()
    study.save(update_fields=["status", "updated_at"])
    record_event(
        StatisticsEvent.STUDY_CANCELLED, actor=actor, subject=study, related=[study.form],
        reason=reason.strip(),
    )  # fmt: skip
    return study

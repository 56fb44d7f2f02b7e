"""Computing, approving and rejecting the cut score of a standard-setting study (R18).

The facilitator computes the cut from the rounds held and proposes the pass mark (the lowest
reachable score at the cut, or another with a rationale). Someone other than the facilitator
(a psychometrician, the scheme manager or a committee member) approves it, and it becomes the
form's pass rule, superseding any earlier one (audited), or sends it back.

Error codes: `ItemImpartialityError` (403) ``approver_ran_study``; `ItemBankError` (409)
``wrong_status``; `ItemInputError` (422) ``pass_mark_out_of_range``, ``rationale_required``,
``comment_required``; `RoleNotHeldError` (403) ``role_not_held``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import has_role, list_users_with_role
from peritus.accounts.services import require_role
from peritus.audit_trail.services import record_event
from peritus.itembank.errors import ItemBankError, ItemImpartialityError, ItemInputError
from peritus.itembank.statistics.angoff import (
    angoff_result,
    default_pass_mark,
    finite,
    pass_rate,
    response_data,
)
from peritus.itembank.statistics.events import StatisticsEvent
from peritus.itembank.statistics.models import StandardSettingStudy, StudyStatus
from peritus.itembank.statistics.rules import CUT_SCORE_APPROVER_ROLES
from peritus.itembank.statistics.selectors import form_items_of
from peritus.itembank.statistics.services.standard_setting import (
    lock_study,
    require_facilitator,
)
from peritus.notifications.services import queue_notification


@transaction.atomic(durable=True)
def compute_cut_score(
    *,
    actor: Any,
    study: StandardSettingStudy,
    pass_mark: Decimal | None = None,
    rationale: str = "",
) -> StandardSettingStudy:
    """Compute the cut from the rounds held and propose the pass mark for approval (by default
    the lowest reachable score at or above the cut; another one needs a rationale)."""
    study = lock_study(study)
    require_facilitator(actor, study)
    if study.status != StudyStatus.BETWEEN_ROUNDS:
        raise ItemBankError("wrong_status", _("Close the open round before computing the cut."))
    items = form_items_of(study.form)
    result = angoff_result(study)
    cut = float(result["cut_score"])
    recommended = default_pass_mark(cut, items)
    total = sum((item.points for item in items), Decimal(0))
    chosen = recommended if pass_mark is None else Decimal(pass_mark)
    if not 0 < chosen <= total:
        raise ItemInputError(
            "pass_mark_out_of_range",
            _("The pass mark lies above 0 and at most %(total)s.") % {"total": total},
        )
    if chosen != recommended and not rationale.strip():
        raise ItemInputError(
            "rationale_required",
            _("Explain why the pass mark differs from %(value)s, the lowest score at the cut.")
            % {"value": recommended},
        )
    data = response_data(study.form, items)
    result["recommended_pass_mark"] = str(recommended)
    result["projected_pass_rate"] = finite(pass_rate(data, chosen))
    study.compute()
    study.result = result
    study.cut_score = Decimal(str(result["cut_score"])).quantize(Decimal("0.01"))
    study.standard_error = result["standard_error"]
    study.pass_mark = chosen.quantize(Decimal("0.01"))
    study.pass_mark_rationale = rationale.strip()
    study.computed_at = timezone.now()
    study.save(update_fields=[
        "status", "result", "cut_score", "standard_error", "pass_mark", "pass_mark_rationale",
        "computed_at", "updated_at",
    ])  # fmt: skip
    record_event(
        StatisticsEvent.CUT_COMPUTED, actor=actor, subject=study, related=[study.form],
        data={"form": study.form.code, "cut_score": str(study.cut_score),
              "standard_error": study.standard_error, "pass_mark": str(study.pass_mark),
              "judges": result["judges"], "rounds": len(result["rounds"])},
    )  # fmt: skip
    scheme_id = study.form.blueprint.bank.scheme_id
    notified: set[int] = {actor.pk}
    for role in CUT_SCORE_APPROVER_ROLES:
        for person in list_users_with_role(role, scheme_id=scheme_id):
            if person.pk in notified:
                continue
            notified.add(person.pk)
            queue_notification(
                template="itembank_cut_score_proposed", recipient_email=person.email,
                recipient_user=person, subject=study,
                context={"form": study.form.code, "study": study.pk,
                         "pass_mark": str(study.pass_mark)},
            )  # fmt: skip
    return study


def _require_decider(actor: Any, study: StandardSettingStudy) -> None:
    if actor is not None and actor.pk == study.facilitator_id:
        raise ItemImpartialityError(
            "approver_ran_study",
            _("You ran this study; someone else must decide on its cut score."),
        )
    scheme_id = study.form.blueprint.bank.scheme_id
    if not any(has_role(actor, role, scheme_id=scheme_id) for role in CUT_SCORE_APPROVER_ROLES):
        require_role(actor, RoleCode.SCHEME_COMMITTEE, scheme_id=scheme_id)


@transaction.atomic(durable=True)
def approve_cut_score(
    *, actor: Any, study: StandardSettingStudy, comment: str = ""
) -> StandardSettingStudy:
    """Approve the proposed pass mark: it becomes the form's pass rule (audited). Never by the
    facilitator of the study (segregation of duties)."""
    study = lock_study(study)
    _require_decider(actor, study)
    if study.status != StudyStatus.COMPUTED:
        raise ItemBankError("wrong_status", _("No cut score of this study awaits approval."))
    form = study.form
    previous = list(
        StandardSettingStudy.objects.select_for_update().filter(
            form=form, status=StudyStatus.APPROVED
        )
    )
    for old in previous:
        old.supersede()
        old.save(update_fields=["status", "updated_at"])
    study.approve()
    study.decided_by = actor
    study.decided_at = timezone.now()
    study.decision_comment = comment.strip()
    study.save(
        update_fields=["status", "decided_by", "decided_at", "decision_comment", "updated_at"]
    )
    record_event(
        StatisticsEvent.CUT_APPROVED, actor=actor, subject=study, related=[form],
        data={"form": form.code, "cut_score": str(study.cut_score),
              "pass_mark": str(study.pass_mark), "facilitator": study.facilitator_id},
    )  # fmt: skip
    record_event(
        StatisticsEvent.PASS_RULE_SET, actor=actor, subject=form,
        related=[study, *previous],
        data={"form": form.code, "pass_mark": str(study.pass_mark), "study": study.pk,
              "superseded": [old.pk for old in previous]},
    )  # fmt: skip
    return study


@transaction.atomic(durable=True)
def reject_cut_score(
    *, actor: Any, study: StandardSettingStudy, comment: str
) -> StandardSettingStudy:
    """Send the proposal back: the facilitator may hold another round or propose again."""
    study = lock_study(study)
    _require_decider(actor, study)
    if study.status != StudyStatus.COMPUTED:
        raise ItemBankError("wrong_status", _("No cut score of this study awaits approval."))
    if not comment.strip():
        raise ItemInputError("comment_required", _("Say why the cut score is sent back."))
    study.reject()
    study.decided_by = actor
    study.decided_at = timezone.now()
    study.decision_comment = comment.strip()
    study.save(
        update_fields=["status", "decided_by", "decided_at", "decision_comment", "updated_at"]
    )
    record_event(
        StatisticsEvent.CUT_REJECTED, actor=actor, subject=study, related=[study.form],
        reason=study.decision_comment,
        data={"form": study.form.code, "pass_mark": str(study.pass_mark)},
    )  # fmt: skip
    return study

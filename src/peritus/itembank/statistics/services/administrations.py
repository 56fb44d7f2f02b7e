"""Recording the responses of a form administration: from exam delivery, or paper answer sheets.

Error codes (`ItemInputError`, 422, unless noted): ``invalid_source``, ``administered_in_future``,
``no_candidates``, ``empty_candidate_id``,
``candidate_id_too_long``, ``duplicate_candidate``, ``item_not_on_form``, ``group_too_long``,
``application_of_other_scheme``, and per answer ``score_expected``, ``score_out_of_range``,
``selection_expected``, ``unknown_option``, ``single_response``; `ItemBankError` (409)
``form_not_approved`` and ``duplicate_administration``; `AnswerSheetsRefused` (422,
``sheets_refused``) carries the line-numbered problems of a paper file. The audit payload holds
the form's code, the source, the date and counts: never item text, keys or answers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import has_role
from peritus.accounts.services import require_role
from peritus.audit_trail.services import record_event
from peritus.core.errors import DomainError
from peritus.itembank.errors import ItemAccessError, ItemBankError, ItemInputError
from peritus.itembank.models import ExamForm, FormStatus
from peritus.itembank.rules import behind_information_barrier
from peritus.itembank.services.items import require_item_role
from peritus.itembank.statistics.events import StatisticsEvent
from peritus.itembank.statistics.models import (
    CandidateResponse,
    FormAdministration,
    ResponseSource,
)
from peritus.itembank.statistics.responses import (
    Answer,
    AnswerError,
    SheetProblem,
    StoredAnswer,
    read_answer_sheets,
    stored_answer,
)
from peritus.itembank.statistics.selectors import form_items_of

RECORDABLE_FORM_STATUSES = (FormStatus.APPROVED, FormStatus.RETIRED)
RECORDER_ROLES = (RoleCode.PSYCHOMETRICIAN, RoleCode.CERTIFICATION_OFFICER, RoleCode.EXAMINER)


@dataclasses.dataclass(frozen=True)
class CandidateAnswers:
    """One candidate's answers: item version id → selected option identifiers, a whole-number
    score (items scored by delivery or a marker), or None (omitted)."""

    candidate_code: str
    answers: Mapping[int, Answer]
    application: Any | None = None
    group: str = ""


class AnswerSheetsRefused(DomainError):  # noqa: N818 - a refusal with its problems, not a bug
    """A paper answer-sheet file was refused; `problems` lists every line-numbered problem."""

    http_status = 422

    def __init__(self, problems: Sequence[SheetProblem]) -> None:
        super().__init__(
            "sheets_refused",
            _("The file was refused; nothing was stored. Correct these lines and upload it again."),
            problems=[dataclasses.asdict(p) for p in problems],
        )
        self.problems = list(problems)


def require_response_recorder(actor: Any, form: ExamForm) -> None:
    """Exam delivery (no actor), or a psychometrician, certification officer or examiner of the
    scheme; never anyone behind the information barrier (invigilators, trainers; R14, R15)."""
    if actor is None:
        return
    bank = form.blueprint.bank
    if has_role(actor, RoleCode.PSYCHOMETRICIAN, scheme_id=bank.scheme_id):
        require_item_role(actor, RoleCode.PSYCHOMETRICIAN, bank)
        return
    if behind_information_barrier(actor):
        raise ItemAccessError(
            "information_barrier",
            _("Invigilators and trainers of candidates never handle exam responses (R14, R15)."),
        )
    for role in RECORDER_ROLES[1:]:
        if has_role(actor, role, scheme_id=bank.scheme_id):
            return
    require_role(actor, RoleCode.PSYCHOMETRICIAN, scheme_id=bank.scheme_id)


def _fingerprint(
    administered_on: dt.date, source: str, rows: Sequence[tuple[str, dict[str, StoredAnswer]]]
) -> str:
    payload = json.dumps(
        {"on": administered_on.isoformat(), "source": source, "rows": sorted(rows)},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _record(
    *,
    form: ExamForm,
    administered_on: dt.date,
    source: str,
    responses: Sequence[CandidateAnswers],
    actor: Any,
    reference: str,
    prepared: Sequence[tuple[str, dict[str, StoredAnswer]]] | None = None,
) -> FormAdministration:
    form = ExamForm.objects.select_for_update().select_related("blueprint__bank").get(pk=form.pk)
    require_response_recorder(actor, form)
    if form.status not in RECORDABLE_FORM_STATUSES:
        raise ItemBankError(
            "form_not_approved", _("Responses are recorded only for an approved (frozen) form.")
        )
    if source not in ResponseSource.values:
        raise ItemInputError("invalid_source", _("The source is online delivery or paper."))
    if administered_on > timezone.localdate():
        raise ItemInputError(
            "administered_in_future", _("The administration date is in the future.")
        )
    if not responses and not prepared:
        raise ItemInputError("no_candidates", _("There are no candidates' responses."))
    items = {item.version_id: item for item in form_items_of(form)}
    scheme_id = form.blueprint.bank.scheme_id
    rows: list[tuple[str, dict[str, StoredAnswer]]] = list(prepared or [])
    extras: dict[str, tuple[Any, str]] = {}
    seen: set[str] = {code for code, _ in rows}
    for number, candidate in enumerate(responses, start=1):
        code = candidate.candidate_code.strip()
        where = _("candidate %(n)d") % {"n": number}
        if not code:
            raise ItemInputError(
                "empty_candidate_id", _("%(where)s has no code.") % {"where": where}
            )
        if len(code) > 64:
            raise ItemInputError(
                "candidate_id_too_long", _("A candidate code has at most 64 characters.")
            )
        if code in seen:
            raise ItemInputError(
                "duplicate_candidate",
                _("Candidate %(code)s appears twice.") % {"code": code},
            )
        seen.add(code)
        if len(candidate.group) > 40:
            raise ItemInputError("group_too_long", _("A group label has at most 40 characters."))
        application = candidate.application
        if application is not None and application.scheme_id != scheme_id:
            raise ItemInputError(
                "application_of_other_scheme",
                _("%(where)s: the application belongs to another scheme.") % {"where": where},
            )
        answers: dict[str, StoredAnswer] = {}
        for version_id, answer in candidate.answers.items():
            item = items.get(int(version_id))
            if item is None:
                raise ItemInputError(
                    "item_not_on_form",
                    _("%(where)s answers an item version that is not on form %(form)s.")
                    % {"where": where, "form": form.code},
                )
            try:
                value = stored_answer(item, answer)
            except AnswerError as error:
                raise ItemInputError(error.code, f"{where}: {error.message}") from None
            if value is not None:
                answers[str(item.version_id)] = value
        rows.append((code, answers))
        extras[code] = (application, candidate.group.strip())
    digest = _fingerprint(administered_on, source, rows)
    if FormAdministration.objects.filter(form=form, responses_sha256=digest).exists():
        raise ItemBankError(
            "duplicate_administration", _("These responses were already recorded for this form.")
        )
    if prepared:
        extras |= _applications_by_reference(scheme_id, [code for code, _ in prepared])
    administration = FormAdministration.objects.create(
        form=form, administered_on=administered_on, source=source, reference=reference.strip()[:80],
        recorded_by=actor, candidate_count=len(rows), responses_sha256=digest,
    )  # fmt: skip
    CandidateResponse.objects.bulk_create(
        CandidateResponse(
            administration=administration, candidate_code=code, answers=answers,
            application=extras.get(code, (None, ""))[0], group=extras.get(code, (None, ""))[1],
        )
        for code, answers in rows
    )  # fmt: skip
    record_event(
        StatisticsEvent.RESPONSES_RECORDED, actor=actor, subject=administration, related=[form],
        data={"form": form.code, "source": source, "administered_on": administered_on.isoformat(),
              "candidates": len(rows), "reference": administration.reference},
    )  # fmt: skip
    return administration


def _applications_by_reference(scheme_id: int, codes: Sequence[str]) -> dict[str, tuple[Any, str]]:
    """Answer sheets that carry an application reference are linked to that application."""
    from peritus.applications.models import Application

    found = Application.objects.filter(scheme_id=scheme_id, reference__in=codes)
    return {application.reference: (application, "") for application in found}


@transaction.atomic(durable=True)
def record_form_responses(
    *,
    form: ExamForm,
    administered_on: dt.date,
    source: str,
    responses: Sequence[CandidateAnswers],
    actor: Any,
    reference: str = "",
) -> FormAdministration:
    """Keep the item-level responses of one administration of a form, all or nothing.

    Exam delivery calls this after scoring (`actor` None, or the member of staff who released
    the results); the office imports paper answer sheets through `import_answer_sheets`.
    """
    return _record(form=form, administered_on=administered_on, source=source,
                   responses=responses, actor=actor, reference=reference)  # fmt: skip


@transaction.atomic(durable=True)
def import_answer_sheets(
    *, form: ExamForm, administered_on: dt.date, data: bytes, actor: Any, reference: str = ""
) -> FormAdministration:
    """Paper answer sheets as CSV (`candidate_id,<item identifier>,…`, option letters), all or
    nothing: any problem refuses the whole file with every problem and its line number.

    A `candidate_id` that is an application reference of the scheme links the answers to it.
    """
    form = ExamForm.objects.select_related("blueprint__bank").get(pk=form.pk)
    require_response_recorder(actor, form)
    sheets = read_answer_sheets(data, form_items_of(form))
    if sheets.problems:
        raise AnswerSheetsRefused(sheets.problems)
    return _record(form=form, administered_on=administered_on, source=ResponseSource.PAPER,
                   responses=(), actor=actor, reference=reference,
                   prepared=sheets.candidates)  # fmt: skip

"""Use cases of blueprints and exam forms: draft, approve, assemble, review, freeze, print."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from peritus.accounts.roles import RoleCode
from peritus.audit_trail.services import record_event
from peritus.itembank.assembly import AssemblySpec, Candidate, RowSpec, assemble, check_spec
from peritus.itembank.errors import ItemBankError, ItemImpartialityError, ItemInputError
from peritus.itembank.events import ItemBankEvent
from peritus.itembank.models import (
    ASSEMBLABLE_STATUSES,
    Blueprint,
    BlueprintRow,
    BlueprintStatus,
    ExamForm,
    ExamFormEntry,
    FormStatus,
    Item,
    ItemBank,
    ItemStatistics,
    PassRule,
)
from peritus.itembank.services.items import require_any_item_role, require_item_role


@dataclasses.dataclass(frozen=True)
class RowInput:
    competence_domain: Any
    item_count: int
    cognitive_level: str = ""
    min_points: Decimal | None = None
    max_points: Decimal | None = None


@transaction.atomic(durable=True)
def create_blueprint(
    *,
    actor: Any,
    bank: ItemBank,
    component: Any,
    name: str,
    total_items: int,
    time_limit_minutes: int,
    rows: Sequence[RowInput],
    pass_rule: str = PassRule.FIXED,
    pass_mark: Decimal | None = None,
    total_points: Decimal | None = None,
    target_mean_p: float | None = None,
    target_tolerance: float = 0.05,
) -> Blueprint:
    """Draft the blueprint of an exam component: counts per domain and level, time, pass rule."""
    require_item_role(actor, RoleCode.PSYCHOMETRICIAN, bank)
    if component.get_scheme_id() != bank.scheme_id:
        raise ItemBankError("different_scheme", _("The component belongs to another scheme."))
    if total_items < 1 or time_limit_minutes < 1:
        raise ItemInputError("invalid", _("A form has at least one item and a time limit."))
    if pass_rule == PassRule.FIXED and pass_mark is None:
        raise ItemInputError("pass_mark_required", _("A fixed pass rule needs its pass mark."))
    if target_mean_p is not None and not 0 < target_mean_p < 1:
        raise ItemInputError("target_mean_p", _("The target mean p lies between 0 and 1."))
    for row in rows:
        if row.competence_domain.get_scheme_id() != bank.scheme_id:
            raise ItemBankError("different_scheme", _("A domain belongs to another scheme."))
    spec = AssemblySpec(
        total_items=total_items,
        rows=tuple(
            RowSpec(domain=r.competence_domain.pk, level=r.cognitive_level, count=r.item_count,
                    label=r.competence_domain.code)
            for r in rows
        ),
    )  # fmt: skip
    problems = check_spec(spec)
    if problems:
        raise ItemInputError("invalid_blueprint", " ".join(problems))
    blueprint = Blueprint.objects.create(
        bank=bank, component=component, name=name.strip()[:200], total_items=total_items,
        time_limit_minutes=time_limit_minutes, pass_rule=pass_rule, pass_mark=pass_mark,
        total_points=total_points, target_mean_p=target_mean_p, target_tolerance=target_tolerance,
    )  # fmt: skip
    BlueprintRow.objects.bulk_create(
        BlueprintRow(
            blueprint=blueprint, competence_domain=r.competence_domain, cognitive_level=r.cognitive_level,
            item_count=r.item_count, min_points=r.min_points, max_points=r.max_points,
        )
        for r in rows
    )  # fmt: skip
    record_event(
        ItemBankEvent.BLUEPRINT_CREATED, actor=actor, subject=blueprint,
        related=[component], data={"total_items": total_items, "rows": len(rows)},
    )  # fmt: skip
    return blueprint


@transaction.atomic(durable=True)
def approve_blueprint(*, actor: Any, blueprint: Blueprint) -> Blueprint:
    blueprint = Blueprint.objects.select_for_update().select_related("bank").get(pk=blueprint.pk)
    require_item_role(actor, RoleCode.PSYCHOMETRICIAN, blueprint.bank)
    if not can_proceed(blueprint.approve):
        raise ItemBankError("wrong_status", _("The blueprint is already approved."))
    blueprint.approve()
    blueprint.save(update_fields=["status", "updated_at"])
    record_event(ItemBankEvent.BLUEPRINT_APPROVED, actor=actor, subject=blueprint)
    return blueprint


def blueprint_spec(
    blueprint: Blueprint, *, forms: int = 1, max_forms_per_item: int = 1
) -> AssemblySpec:
    rows = list(blueprint.rows.select_related("competence_domain"))
    return AssemblySpec(
        total_items=blueprint.total_items,
        rows=tuple(
            RowSpec(
                domain=row.competence_domain_id,
                level=row.cognitive_level,
                count=row.item_count,
                min_points=float(row.min_points) if row.min_points is not None else None,
                max_points=float(row.max_points) if row.max_points is not None else None,
                label=f"{row.competence_domain.code}{' · ' + row.cognitive_level if row.cognitive_level else ''}",
            )
            for row in rows
        ),
        forms=forms,
        max_forms_per_item=max_forms_per_item,
        total_points=float(blueprint.total_points) if blueprint.total_points is not None else None,
        target_mean_p=blueprint.target_mean_p,
        tolerance=blueprint.target_tolerance,
    )


def assembly_candidates(bank: ItemBank, *, today: Any) -> list[Candidate]:
    """Operational and pilot items, not resting and not over-exposed, with their latest p."""
    items = list(
        Item.objects.filter(
            bank=bank, status__in=ASSEMBLABLE_STATUSES, current_version__isnull=False
        )
        .exclude(resting_until__gt=today)
        .select_related("current_version")
        .prefetch_related("enemies")
    )
    items = [item for item in items if item.exposure_count < bank.exposure_limit]
    version_ids = [item.current_version_id for item in items]
    latest_p: dict[int, float] = {}
    for row in (
        ItemStatistics.objects.filter(item_version_id__in=version_ids, p_value__isnull=False)
        .order_by("item_version_id", "-computed_at", "-pk")
        .values("item_version_id", "p_value")
    ):
        latest_p.setdefault(row["item_version_id"], float(row["p_value"] or 0.0))
    candidates = []
    for item in items:
        version = item.current_version
        assert version is not None
        candidates.append(
            Candidate(
                id=version.pk,
                domain=item.competence_domain_id,
                level=item.cognitive_level,
                points=float(version.max_score),
                p_value=latest_p.get(version.pk),
                exposure=item.exposure_count,
                enemies=frozenset(
                    e.current_version_id for e in item.enemies.all() if e.current_version_id
                ),
                label=item.identifier,
            )
        )
    return candidates


@transaction.atomic(durable=True)
def assemble_forms(
    *,
    actor: Any,
    blueprint: Blueprint,
    code_prefix: str,
    count: int = 1,
    max_forms_per_item: int = 1,
    seed: int = 0,
    seconds: float = 20.0,
) -> list[ExamForm]:
    """Assemble `count` parallel forms meeting the blueprint, or refuse with the reasons."""
    blueprint = Blueprint.objects.select_for_update().select_related("bank").get(pk=blueprint.pk)
    bank = blueprint.bank
    require_item_role(actor, RoleCode.PSYCHOMETRICIAN, bank)
    if blueprint.status != BlueprintStatus.APPROVED:
        raise ItemBankError(
            "blueprint_not_approved", _("Approve the blueprint before assembling forms.")
        )
    if not 1 <= count <= 10:
        raise ItemInputError("invalid", _("Assemble between 1 and 10 forms at a time."))
    codes = [
        code_prefix if count == 1 else f"{code_prefix}-{chr(ord('A') + n)}" for n in range(count)
    ]
    if ExamForm.objects.filter(code__in=codes).exists():
        raise ItemBankError("form_exists", _("A form with this code exists."))
    spec = blueprint_spec(blueprint, forms=count, max_forms_per_item=max_forms_per_item)
    candidates = assembly_candidates(bank, today=timezone.localdate())
    result = assemble(spec, candidates, seed=seed, seconds=seconds)
    if not result.feasible:
        raise ItemBankError(
            "infeasible",
            _("No form meets the blueprint: %(reasons)s") % {"reasons": " ".join(result.reasons)},
            reasons=result.reasons,
        )
    by_id = {c.id: c for c in candidates}
    forms = []
    for code, chosen, mean_p in zip(codes, result.forms, result.mean_p, strict=True):
        form = ExamForm.objects.create(
            blueprint=blueprint, code=code, parallel_group=code_prefix if count > 1 else "",
            assembled_by=actor,
            assembly_report={"solver_status": result.status, "seconds": round(result.wall_seconds, 3),
                             "mean_p": mean_p, "candidates": len(candidates), "seed": seed},
        )  # fmt: skip
        ordered = sorted(chosen, key=lambda vid: (by_id[vid].domain or 0, by_id[vid].label))
        ExamFormEntry.objects.bulk_create(
            ExamFormEntry(form=form, position=position, item_version_id=vid,
                          points=Decimal(str(round(by_id[vid].points, 2))))
            for position, vid in enumerate(ordered, start=1)
        )  # fmt: skip
        record_event(
            ItemBankEvent.FORM_ASSEMBLED, actor=actor, subject=form, related=[blueprint],
            data={"code": code, "items": len(chosen), "solver_status": result.status},
        )  # fmt: skip
        forms.append(form)
    return forms


def _lock_form(form: ExamForm) -> ExamForm:
    return ExamForm.objects.select_for_update().select_related("blueprint__bank").get(pk=form.pk)


@transaction.atomic(durable=True)
def submit_form(*, actor: Any, form: ExamForm) -> ExamForm:
    form = _lock_form(form)
    require_item_role(actor, RoleCode.PSYCHOMETRICIAN, form.blueprint.bank)
    if not can_proceed(form.submit):
        raise ItemBankError("not_draft", _("Only a draft form can be sent for review."))
    form.submit()
    form.save(update_fields=["status", "updated_at"])
    record_event(ItemBankEvent.FORM_SUBMITTED, actor=actor, subject=form, data={"code": form.code})
    return form


@transaction.atomic(durable=True)
def review_form(*, actor: Any, form: ExamForm, approve: bool, comment: str = "") -> ExamForm:
    """Approve (and freeze) a form, or return it; never by whoever assembled it."""
    form = _lock_form(form)
    require_any_item_role(
        actor, (RoleCode.PSYCHOMETRICIAN, RoleCode.ITEM_REVIEWER), form.blueprint.bank
    )
    if actor is not None and actor.pk == form.assembled_by_id:
        raise ItemImpartialityError(
            "approver_assembled_form", _("You assembled this form; someone else must review it.")
        )
    if form.status != FormStatus.IN_REVIEW:
        raise ItemBankError("not_in_review", _("The form is not waiting for review."))
    now = timezone.now()
    if approve:
        entries = list(form.entries.select_related("item_version__item"))
        not_ready = [e.item_version.item.identifier for e in entries
                     if e.item_version.item.status not in ASSEMBLABLE_STATUSES
                     or e.item_version.item.current_version_id != e.item_version_id]  # fmt: skip
        if not_ready:
            raise ItemBankError(
                "items_changed",
                _("Items changed or left service since assembly: %(items)s. Assemble again.")
                % {"items": ", ".join(sorted(not_ready))},
            )
        form.approve()
        form.approved_by = actor
        form.approved_at = now
        from peritus.itembank.models import ItemVersion

        ItemVersion.objects.filter(
            pk__in=[e.item_version_id for e in entries], used_at__isnull=True
        ).update(used_at=now)
        event = ItemBankEvent.FORM_APPROVED
    else:
        if not comment.strip():
            raise ItemInputError("comment_required", _("Say what must change."))
        form.return_for_changes()
        event = ItemBankEvent.FORM_RETURNED
    form.review_comment = comment.strip()
    form.save(
        update_fields=["status", "approved_by", "approved_at", "review_comment", "updated_at"]
    )
    record_event(event, actor=actor, subject=form, data={"code": form.code, "approved": approve})
    return form


@transaction.atomic(durable=True)
def retire_form(*, actor: Any, form: ExamForm, reason: str) -> ExamForm:
    form = _lock_form(form)
    require_item_role(actor, RoleCode.PSYCHOMETRICIAN, form.blueprint.bank)
    if not can_proceed(form.retire):
        raise ItemBankError("wrong_status", _("Only an approved form can be retired."))
    form.retire()
    form.save(update_fields=["status", "updated_at"])
    record_event(ItemBankEvent.FORM_RETIRED, actor=actor, subject=form, reason=reason)
    return form


def print_form(*, actor: Any, form: ExamForm, kind: str) -> bytes:
    """The paper booklet (`booklet`) or the answer key (`key`) of an approved form. Audited."""
    from django.conf import settings

    from peritus.audit_trail.services import record_standalone_event
    from peritus.itembank.pdf import PrintedItem, render_answer_key, render_booklet
    from peritus.itembank.qti.content import content_from_dict

    form = ExamForm.objects.select_related("blueprint__bank", "blueprint__component").get(
        pk=form.pk
    )
    require_item_role(actor, RoleCode.PSYCHOMETRICIAN, form.blueprint.bank)
    if form.status != FormStatus.APPROVED:
        raise ItemBankError("not_approved", _("Only an approved form is printed."))
    if kind not in {"booklet", "key"}:
        raise ItemInputError("invalid", _("Print the booklet or the key."))
    entries = form.entries.select_related("item_version__item", "item_version__stimulus")
    items = [
        PrintedItem(
            position=entry.position,
            identifier=entry.item_version.item.identifier,
            points=f"{entry.points.normalize():f}",
            content=content_from_dict(entry.item_version.content),
            stimulus=entry.item_version.stimulus.body if entry.item_version.stimulus else "",
        )
        for entry in entries
    ]
    title = form.blueprint.component.name
    body_name = settings.PERITUS["BODY_NAME"]
    if kind == "booklet":
        data = render_booklet(code=form.code, title=title, body_name=body_name,
                              time_limit=form.blueprint.time_limit_minutes, items=items)  # fmt: skip
    else:
        data = render_answer_key(code=form.code, title=title, body_name=body_name, items=items)
    record_standalone_event(
        ItemBankEvent.FORM_PRINTED,
        actor=actor,
        subject=form,
        data={"code": form.code, "kind": kind},
    )
    return data

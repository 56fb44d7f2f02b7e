"""Use cases for schemes and their versions (clause 8).

A version is edited only while it is a draft; a member of the scheme committee who did not draft
or edit it approves it; the scheme manager publishes it once every mandatory part is filled in.
From then on it is immutable: a change means a new version, drafted from the published one.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import has_role
from peritus.accounts.services import require_role
from peritus.audit_trail.services import record_event
from peritus.notifications.services import queue_notification
from peritus.schemes.errors import SchemeError, SchemeImpartialityError, SchemeInputError
from peritus.schemes.events import SchemesEvent
from peritus.schemes.models import (
    AssessmentComponent,
    CompetenceDomain,
    CompetenceTask,
    Fee,
    Prerequisite,
    Scheme,
    SchemeVersion,
    SchemeVersionStatus,
    ScopeItem,
)
from peritus.schemes.public_texts import default_public_texts
from peritus.schemes.selectors import get_current_version, list_missing_parts

SCHEME_FIELDS = ("name", "summary", "sector", "owner_name")

# The fields of a version a scheme manager edits (everything but status and who-did-what).
VERSION_FIELDS = (
    "change_summary",
    "scope_statement",
    "job_description",
    "job_analysis_reference",
    "standard_reference",
    "assessment_overview",
    "combination_rule",
    "overall_pass_percent",
    "validity_months",
    "surveillance_interval_months",
    "surveillance_requirements",
    "recertification_requirements",
    "recertification_window_months",
    "cpd_hours_per_cycle",
    "suspension_criteria",
    "withdrawal_criteria",
    "scope_change_rules",
    "code_of_conduct",
    "attestation_text",
    "certificate_terms",
    "required_documents",
    "appeals_policy",
    "complaints_policy",
    "impartiality_statement",
    "fees_note",
)


class PartKind(enum.StrEnum):
    """The parts of a version, each edited through `save_part` and `remove_part`."""

    SCOPE_ITEM = "scope_item"
    COMPETENCE_DOMAIN = "competence_domain"
    COMPETENCE_TASK = "competence_task"
    PREREQUISITE = "prerequisite"
    COMPONENT = "component"
    FEE = "fee"


PART_MODELS: dict[PartKind, type[models.Model]] = {
    PartKind.SCOPE_ITEM: ScopeItem,
    PartKind.COMPETENCE_DOMAIN: CompetenceDomain,
    PartKind.COMPETENCE_TASK: CompetenceTask,
    PartKind.PREREQUISITE: Prerequisite,
    PartKind.COMPONENT: AssessmentComponent,
    PartKind.FEE: Fee,
}
PART_FIELDS: dict[PartKind, tuple[str, ...]] = {
    PartKind.SCOPE_ITEM: ("code", "title", "level", "description", "limitations", "position"),
    PartKind.COMPETENCE_DOMAIN: ("code", "title", "description", "weight", "position"),
    PartKind.COMPETENCE_TASK: ("domain", "code", "title", "knowledge_and_skills", "position"),
    PartKind.PREREQUISITE: (
        "code",
        "kind",
        "description",
        "minimum_months",
        "minimum_hours",
        "evidence_description",
        "evidence_required",
        "alternative_group",
        "scope_items",
        "position",
    ),
    PartKind.COMPONENT: (
        "code",
        "name",
        "kind",
        "description",
        "delivery",
        "duration_minutes",
        "max_score",
        "pass_mark",
        "weight",
        "required",
        "position",
    ),
    PartKind.FEE: ("kind", "description", "amount", "currency", "position"),
}
PART_EVENT_NAMES = {kind: kind.value for kind in PartKind}


def _notify_author(version: SchemeVersion, *, template: str, actor: User, **context: Any) -> None:
    author = version.created_by
    if author is None or author.pk == actor.pk or not author.email:
        return
    queue_notification(
        template=template,
        recipient_email=author.email,
        recipient_user=author,
        subject=version,
        context={"version": version, "scheme": version.scheme, "actor": actor, **context},
    )


def _lock_version(version: SchemeVersion) -> SchemeVersion:
    return SchemeVersion.objects.select_related("scheme").select_for_update().get(pk=version.pk)


def _require_draft(version: SchemeVersion) -> None:
    if version.status != SchemeVersionStatus.DRAFT:
        raise SchemeError(
            "not_draft",
            _("Version %(version)s is %(status)s: only a draft can be changed.")
            % {"version": version.version, "status": version.get_status_display()},
        )


def _require_scheme_manager(actor: User, scheme_id: int | None) -> None:
    if has_role(actor, RoleCode.ADMINISTRATOR) and scheme_id is None:
        return
    require_role(actor, RoleCode.SCHEME_MANAGER, scheme_id=scheme_id)


@transaction.atomic(durable=True)
def create_scheme(
    *, actor: User, code: str, slug: str, name: str, summary: str = "", sector: str = "",
    owner_name: str = "",
) -> Scheme:  # fmt: skip
    """Open a new certification scheme (its first version is drafted separately)."""
    _require_scheme_manager(actor, None)
    code, slug, name = code.strip().upper(), slug.strip().lower(), name.strip()
    if not (code and slug and name):
        raise SchemeInputError("required", _("A scheme needs a code, a slug and a name."))
    if Scheme.objects.filter(models.Q(code=code) | models.Q(slug=slug)).exists():
        raise SchemeError("scheme_exists", _("A scheme with this code or slug already exists."))
    scheme = Scheme.objects.create(
        code=code, slug=slug, name=name, summary=summary.strip(), sector=sector.strip(),
        owner_name=owner_name.strip(), created_by=actor,
    )  # fmt: skip
    record_event(
        SchemesEvent.SCHEME_CREATED, actor=actor, subject=scheme, data={"code": code, "slug": slug}
    )
    return scheme


@transaction.atomic(durable=True)
def change_scheme(*, actor: User, scheme: Scheme, values: Mapping[str, Any]) -> Scheme:
    """Change the name and description of a scheme (not its code or address)."""
    _require_scheme_manager(actor, scheme.pk)
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    changed = _assign(scheme, values, SCHEME_FIELDS)
    if not str(scheme.name).strip():
        raise SchemeInputError("required", _("A scheme needs a name."))
    if changed:
        scheme.save(update_fields=[*changed, "updated_at"])
        record_event(
            SchemesEvent.SCHEME_CHANGED, actor=actor, subject=scheme, data={"fields": changed}
        )
    return scheme


def _assign(obj: models.Model, values: Mapping[str, Any], allowed: Iterable[str]) -> list[str]:
    allowed = tuple(allowed)
    unknown = set(values) - set(allowed)
    if unknown:
        raise SchemeInputError(
            "unknown_field",
            _("These fields cannot be set here: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))},
        )
    changed = []
    for field, given in values.items():
        value = given.strip() if isinstance(given, str) else given
        if getattr(obj, field, None) != value:  # None: a relation not set yet
            setattr(obj, field, value)
            changed.append(field)
    return changed


@transaction.atomic(durable=True)
def draft_version(
    *, actor: User, scheme: Scheme, version: str, values: Mapping[str, Any] | None = None
) -> SchemeVersion:
    """Start a new version of a scheme from nothing (a scheme's first version, typically)."""
    _require_scheme_manager(actor, scheme.pk)
    label = version.strip()
    _check_label(scheme, label)
    draft = SchemeVersion(scheme=scheme, version=label, created_by=actor)
    _assign(draft, {**default_public_texts(), **(values or {})}, VERSION_FIELDS)
    _validate_version(draft)
    draft.save()
    draft.contributors.add(actor)
    record_event(
        SchemesEvent.VERSION_DRAFTED, actor=actor, subject=draft, related=[scheme],
        data={"version": label}, actor_role=RoleCode.SCHEME_MANAGER,
    )  # fmt: skip
    return draft


def _check_label(scheme: Scheme, label: str) -> None:
    if not label:
        raise SchemeInputError("required", _("Give the version a label, such as 2026.1."))
    if SchemeVersion.objects.filter(scheme=scheme, version=label).exists():
        raise SchemeError(
            "version_exists",
            _("Scheme %(scheme)s already has a version %(version)s.")
            % {"scheme": scheme.code, "version": label},
        )


def _validate_version(version: SchemeVersion) -> None:
    _clean(version, exclude=("status", "scheme", "contributors", "based_on"))


@transaction.atomic(durable=True)
def draft_version_from(*, actor: User, source: SchemeVersion, version: str) -> SchemeVersion:
    """A new draft copying a published (or retired) version and all its parts."""
    _require_scheme_manager(actor, source.scheme_id)
    if source.status not in (SchemeVersionStatus.PUBLISHED, SchemeVersionStatus.RETIRED):
        raise SchemeError(
            "not_published",
            _("A new version is drafted from a published one; edit this draft instead."),
        )
    label = version.strip()
    _check_label(source.scheme, label)
    draft = SchemeVersion(scheme=source.scheme, version=label, created_by=actor, based_on=source)
    for field in VERSION_FIELDS:
        setattr(draft, field, getattr(source, field))
    draft.change_summary = ""
    draft.save()
    draft.contributors.add(actor)
    _copy_parts(source, draft)
    record_event(
        SchemesEvent.VERSION_DRAFTED, actor=actor, subject=draft, related=[source.scheme, source],
        data={"version": label, "based_on": source.version}, actor_role=RoleCode.SCHEME_MANAGER,
    )  # fmt: skip
    return draft


def _copy_parts(source: SchemeVersion, draft: SchemeVersion) -> None:
    scope_map: dict[int, ScopeItem] = {}
    for item in source.scope_items.all():
        old_pk = item.pk
        scope_map[old_pk] = ScopeItem.objects.create(
            scheme_version=draft, **_values(item, PART_FIELDS[PartKind.SCOPE_ITEM])
        )
    for domain in source.competence_domains.prefetch_related("tasks"):
        copy = CompetenceDomain.objects.create(
            scheme_version=draft, **_values(domain, PART_FIELDS[PartKind.COMPETENCE_DOMAIN])
        )
        CompetenceTask.objects.bulk_create(
            CompetenceTask(
                domain=copy,
                **_values(task, PART_FIELDS[PartKind.COMPETENCE_TASK], exclude=("domain",)),
            )
            for task in domain.tasks.all()
        )
    for prerequisite in source.prerequisites.prefetch_related("scope_items"):
        copy_prerequisite = Prerequisite.objects.create(
            scheme_version=draft,
            **_values(prerequisite, PART_FIELDS[PartKind.PREREQUISITE], exclude=("scope_items",)),
        )
        copy_prerequisite.scope_items.set(
            [scope_map[item.pk] for item in prerequisite.scope_items.all()]
        )
    for component in source.components.all():
        AssessmentComponent.objects.create(
            scheme_version=draft, **_values(component, PART_FIELDS[PartKind.COMPONENT])
        )
    for fee in source.fees.all():
        Fee.objects.create(scheme_version=draft, **_values(fee, PART_FIELDS[PartKind.FEE]))


def _values(
    obj: models.Model, fields: Iterable[str], exclude: Iterable[str] = ()
) -> dict[str, Any]:
    return {field: getattr(obj, field) for field in fields if field not in set(exclude)}


@transaction.atomic(durable=True)
def edit_version(
    *, actor: User, version: SchemeVersion, values: Mapping[str, Any]
) -> SchemeVersion:
    """Change the texts and rules of a draft version."""
    _require_scheme_manager(actor, version.scheme_id)
    version = _lock_version(version)
    _require_draft(version)
    changed = _assign(version, values, VERSION_FIELDS)
    _validate_version(version)
    if changed:
        version.save(update_fields=[*changed, "updated_at"])
        version.contributors.add(actor)
        record_event(
            SchemesEvent.VERSION_EDITED, actor=actor, subject=version,
            data={"fields": sorted(changed)}, actor_role=RoleCode.SCHEME_MANAGER,
        )  # fmt: skip
    return version


@transaction.atomic(durable=True)
def save_part(
    *,
    actor: User,
    version: SchemeVersion,
    kind: PartKind,
    values: Mapping[str, Any],
    part_id: int | None = None,
) -> models.Model:
    """Add a part to a draft version (`part_id` None) or change one of its parts."""
    _require_scheme_manager(actor, version.scheme_id)
    version = _lock_version(version)
    _require_draft(version)
    model = PART_MODELS[kind]
    values = dict(values)
    scope_items = values.pop("scope_items", None)
    if kind == PartKind.COMPETENCE_TASK:
        domain = values.get("domain")
        if domain is None or getattr(domain, "scheme_version_id", None) != version.pk:
            raise SchemeError("wrong_version", _("Choose a competence domain of this version."))
    part: Any = get_part(version, kind, part_id) if part_id is not None else model()
    if part_id is None and kind != PartKind.COMPETENCE_TASK:
        part.scheme_version = version
    changed = _assign(part, values, PART_FIELDS[kind])
    _validate_part(version, kind, part)
    part.save()
    if scope_items is not None:
        items = list(scope_items)
        if any(item.scheme_version_id != version.pk for item in items):
            raise SchemeError("wrong_version", _("Choose scope items of this version."))
        part.scope_items.set(items)
        changed.append("scope_items")
    version.contributors.add(actor)
    record_event(
        SchemesEvent.VERSION_EDITED, actor=actor, subject=version, related=[part],
        data={"part": kind.value, "action": "added" if part_id is None else "changed",
              "fields": sorted(changed)},
        actor_role=RoleCode.SCHEME_MANAGER,
    )  # fmt: skip
    saved: models.Model = part
    return saved


def get_part(version: SchemeVersion, kind: PartKind, part_id: int) -> Any:
    """One part of `version`; raises SchemeError(wrong_version) for a part of another version."""
    model: Any = PART_MODELS[kind]
    lookup = (
        {"domain__scheme_version": version}
        if kind == PartKind.COMPETENCE_TASK
        else {"scheme_version": version}
    )
    part = model.objects.filter(pk=part_id, **lookup).first()
    if part is None:
        raise SchemeError("wrong_version", _("That part does not belong to this version."))
    return part


def _clean(obj: models.Model, *, exclude: Iterable[str] = ()) -> None:
    """Field validation (choices, bounds, required values) as a domain error."""
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        fields = sorted(error.message_dict) if hasattr(error, "error_dict") else []
        raise SchemeInputError("invalid", "; ".join(error.messages), fields=fields) from None


def _validate_part(version: SchemeVersion, kind: PartKind, part: Any) -> None:
    if (
        kind == PartKind.COMPONENT
        and None not in (part.max_score, part.pass_mark)
        and not 0 <= Decimal(part.pass_mark) <= Decimal(part.max_score)
    ):
        raise SchemeInputError(
            "pass_mark_above_maximum",
            _("The pass mark must lie between 0 and the maximum score."),
        )
    _clean(part, exclude=("scope_items",))
    if hasattr(part, "code"):
        model: Any = PART_MODELS[kind]
        siblings = (
            model.objects.filter(domain=part.domain)
            if kind == PartKind.COMPETENCE_TASK
            else model.objects.filter(scheme_version=version)
        )
        if siblings.filter(code=part.code).exclude(pk=part.pk).exists():
            raise SchemeError(
                "duplicate_code",
                _("The code %(code)s is already used here.") % {"code": part.code},
            )


@transaction.atomic(durable=True)
def remove_part(*, actor: User, version: SchemeVersion, kind: PartKind, part_id: int) -> None:
    """Remove a part from a draft version (a domain goes with its tasks)."""
    _require_scheme_manager(actor, version.scheme_id)
    version = _lock_version(version)
    _require_draft(version)
    part = get_part(version, kind, part_id)
    reference = (f"schemes.{part._meta.model_name}", part.pk)
    try:
        with transaction.atomic():
            if kind == PartKind.COMPETENCE_DOMAIN:
                part.tasks.all().delete()
            if kind == PartKind.PREREQUISITE:
                part.scope_items.clear()
            part.delete()
    except ProtectedError:
        raise SchemeError(
            "in_use", _("Other records (exam items, blueprints …) point at this part; keep it.")
        ) from None
    version.contributors.add(actor)
    record_event(
        SchemesEvent.VERSION_EDITED, actor=actor, subject=version, related=[reference],
        data={"part": kind.value, "action": "removed"}, actor_role=RoleCode.SCHEME_MANAGER,
    )  # fmt: skip


def _require_complete(version: SchemeVersion) -> None:
    missing = list_missing_parts(version)
    if missing:
        raise SchemeError(
            "incomplete",
            _("This version is not complete: %(missing)s.")
            % {"missing": "; ".join(message for _code, message in missing)},
            missing=[code for code, _message in missing],
        )


@transaction.atomic(durable=True)
def approve_version(
    *, actor: User, version: SchemeVersion, approval_reference: str = "", note: str = ""
) -> SchemeVersion:
    """The scheme committee approves a complete draft; its author and editors may not."""
    require_role(actor, RoleCode.SCHEME_COMMITTEE, scheme_id=version.scheme_id)
    version = _lock_version(version)
    if not can_proceed(version.approve):
        raise SchemeError(
            "not_draft", _("Only a draft version can be approved; this one is %(status)s.")
            % {"status": version.get_status_display()},
        )  # fmt: skip
    if version.created_by_id == actor.pk or version.contributors.filter(pk=actor.pk).exists():
        raise SchemeImpartialityError(
            "author_cannot_approve",
            _("You drafted or edited this version, so another committee member must approve it."),
        )
    _require_complete(version)
    version.approve()
    version.approved_by = actor
    version.approved_at = timezone.now()
    version.approval_reference = approval_reference.strip()
    version.save(
        update_fields=["status", "approved_by", "approved_at", "approval_reference", "updated_at"]
    )
    record_event(
        SchemesEvent.VERSION_APPROVED, actor=actor, subject=version, reason=note.strip(),
        data={"version": version.version, "approval_reference": version.approval_reference},
        actor_role=RoleCode.SCHEME_COMMITTEE,
    )  # fmt: skip
    _notify_author(version, template="schemes_version_approved", actor=actor)
    return version


@transaction.atomic(durable=True)
def reopen_version(*, actor: User, version: SchemeVersion, reason: str) -> SchemeVersion:
    """Return an approved version to draft for a change; it must be approved again."""
    if not has_role(actor, RoleCode.SCHEME_COMMITTEE, scheme_id=version.scheme_id):
        _require_scheme_manager(actor, version.scheme_id)
    version = _lock_version(version)
    if not can_proceed(version.reopen):
        raise SchemeError(
            "not_approved", _("Only an approved, unpublished version can be reopened.")
        )
    if not reason.strip():
        raise SchemeInputError("required", _("Say why the version goes back to draft."))
    version.reopen()
    version.approved_by = None
    version.approved_at = None
    version.approval_reference = ""
    version.save(
        update_fields=["status", "approved_by", "approved_at", "approval_reference", "updated_at"]
    )
    record_event(
        SchemesEvent.VERSION_REOPENED, actor=actor, subject=version, reason=reason.strip(),
        data={"version": version.version},
    )  # fmt: skip
    _notify_author(version, template="schemes_version_reopened", actor=actor, reason=reason)
    return version


@transaction.atomic(durable=True)
def publish_version(*, actor: User, version: SchemeVersion) -> SchemeVersion:
    """Publish an approved, complete version; the version it replaces is retired."""
    _require_scheme_manager(actor, version.scheme_id)
    Scheme.objects.select_for_update().get(pk=version.scheme_id)  # one publisher at a time
    version = _lock_version(version)
    if not can_proceed(version.publish):
        raise SchemeError(
            "not_approved", _("Only a version approved by the scheme committee can be published.")
        )
    _require_complete(version)
    now = timezone.now()
    previous = get_current_version(version.scheme_id)
    if previous is not None:
        previous = _lock_version(previous)
        reason = _("Replaced by version %(version)s.") % {"version": version.version}
        _retire(previous, actor=actor, reason=reason, now=now)
    version.publish()
    version.published_by = actor
    version.published_at = now
    version.save(update_fields=["status", "published_by", "published_at", "updated_at"])
    record_event(
        SchemesEvent.VERSION_PUBLISHED, actor=actor, subject=version,
        related=[previous] if previous is not None else [],
        data={"version": version.version,
              "replaces": previous.version if previous is not None else None},
        actor_role=RoleCode.SCHEME_MANAGER,
    )  # fmt: skip
    _notify_author(version, template="schemes_version_published", actor=actor)
    return version


def _retire(version: SchemeVersion, *, actor: User, reason: str, now: Any) -> None:
    version.retire()
    version.retired_by = actor
    version.retired_at = now
    version.retirement_reason = reason
    version.save(
        update_fields=["status", "retired_by", "retired_at", "retirement_reason", "updated_at"]
    )
    record_event(
        SchemesEvent.VERSION_RETIRED, actor=actor, subject=version, reason=reason,
        data={"version": version.version}, actor_role=RoleCode.SCHEME_MANAGER,
    )  # fmt: skip


@transaction.atomic(durable=True)
def retire_version(*, actor: User, version: SchemeVersion, reason: str) -> SchemeVersion:
    """Close a published version to new applications without a replacement."""
    _require_scheme_manager(actor, version.scheme_id)
    version = _lock_version(version)
    if not can_proceed(version.retire):
        raise SchemeError("not_published", _("Only the published version can be retired."))
    if not reason.strip():
        raise SchemeInputError("required", _("Say why the version is retired."))
    _retire(version, actor=actor, reason=reason.strip(), now=timezone.now())
    return version

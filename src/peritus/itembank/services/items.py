"""Use cases of items: writing, versions, review, lifecycle, exposure and statistics.

Audit payloads and notifications carry identifiers and codes only, never item text (7.3/7.4).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from peritus.accounts.roles import RoleCode
from peritus.accounts.services import require_role
from peritus.audit_trail.services import record_event
from peritus.itembank.errors import (
    ItemAccessError,
    ItemBankError,
    ItemImpartialityError,
    ItemInputError,
)
from peritus.itembank.events import ItemBankEvent
from peritus.itembank.models import (
    Item,
    ItemBank,
    ItemReview,
    ItemStatistics,
    ItemStatus,
    ItemVersion,
    ReviewDecision,
    Stimulus,
)
from peritus.itembank.qti.content import (
    ContentError,
    ItemContent,
    content_to_dict,
    validate_content,
)
from peritus.itembank.rules import behind_information_barrier
from peritus.notifications.services import queue_notification


def require_item_role(actor: Any, role: RoleCode, bank: ItemBank) -> None:
    """The actor holds `role` for the bank's scheme and is not behind the information barrier."""
    if actor is None:
        return  # the system itself: a command-line run by an operator, recorded as such
    require_role(actor, role, scheme_id=bank.scheme_id)
    if behind_information_barrier(actor):
        raise ItemAccessError(
            "information_barrier",
            _("Invigilators and trainers of candidates never handle exam items (R15)."),
        )


def require_any_item_role(actor: Any, roles: Sequence[RoleCode], bank: ItemBank) -> None:
    last: Exception | None = None
    for role in roles:
        try:
            require_item_role(actor, role, bank)
        except ItemAccessError:
            raise
        except Exception as error:
            last = error
        else:
            return
    assert last is not None
    raise last


def content_hash(content: ItemContent, *, title: str, language: str) -> str:
    payload = json.dumps(
        {"content": content_to_dict(content), "title": title, "language": language},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def normalised_title_language(item: Item, title: str, language: str) -> tuple[str, str]:
    return title.strip()[:200] or item.identifier, language or item.bank.language


def checked_content(content: ItemContent) -> ItemContent:
    try:
        return validate_content(content)
    except ContentError as error:
        raise ItemInputError(error.code, error.message) from None


def _identifier_ok(identifier: str) -> bool:
    return (
        bool(identifier)
        and len(identifier) <= 64
        and (identifier[0].isalpha() or identifier[0] == "_")
        and all(ch.isalnum() or ch in "_-." for ch in identifier)
    )


@transaction.atomic(durable=True)
def create_bank(*, actor: Any, scheme: Any, slug: str, name: str, language: str = "en") -> ItemBank:
    """Open an item bank for a scheme."""
    bank = ItemBank(scheme=scheme, slug=slug, name=name, language=language)
    require_any_item_role(actor, (RoleCode.PSYCHOMETRICIAN, RoleCode.ITEM_AUTHOR), bank)
    return _create_bank(actor=actor, scheme=scheme, slug=slug, name=name, language=language)


def _create_bank(*, actor: Any, scheme: Any, slug: str, name: str, language: str) -> ItemBank:
    if ItemBank.objects.filter(slug=slug).exists():
        raise ItemBankError("bank_exists", _("An item bank with this slug exists."))
    bank = ItemBank.objects.create(scheme=scheme, slug=slug, name=name, language=language)
    record_event(ItemBankEvent.BANK_CREATED, actor=actor, subject=bank, data={"slug": slug})
    return bank


def _new_version(
    *,
    item: Item,
    actor: Any,
    content: ItemContent,
    title: str,
    language: str,
    stimulus: Stimulus | None,
    references: str,
    change_note: str,
    number: int,
) -> ItemVersion:
    if stimulus is not None and stimulus.bank_id != item.bank_id:
        raise ItemBankError("different_bank", _("The stimulus belongs to another bank."))
    stored = content if stimulus is None else _with_stimulus(content, stimulus)
    title, language = normalised_title_language(item, title, language)
    return ItemVersion.objects.create(
        item=item,
        number=number,
        title=title,
        language=language,
        interaction=stored.interaction.value,
        content=content_to_dict(stored),
        content_hash=content_hash(stored, title=title, language=language),
        max_score=Decimal(str(round(stored.max_score, 2))),
        stimulus=stimulus,
        references=references,
        created_by=actor,
        change_note=change_note[:300],
    )


def _create_item(
    *,
    actor: Any,
    bank: ItemBank,
    identifier: str,
    title: str,
    content: ItemContent,
    language: str = "",
    competence_domain: Any | None = None,
    competence_task: Any | None = None,
    cognitive_level: str = "",
    tags: Iterable[str] = (),
    references: str = "",
    stimulus: Stimulus | None = None,
    source: str = "authored",
) -> Item:
    content = checked_content(content)
    if not _identifier_ok(identifier):
        raise ItemInputError("invalid_identifier", _("The identifier must be a QTI identifier."))
    if Item.objects.filter(bank=bank, identifier=identifier).exists():
        raise ItemBankError("item_exists", _("An item with this identifier exists in the bank."))
    _check_classification(bank, competence_domain, competence_task)
    item = Item.objects.create(
        bank=bank,
        identifier=identifier,
        author=actor,
        competence_domain=competence_domain,
        competence_task=competence_task,
        cognitive_level=cognitive_level,
        tags=sorted({t.strip()[:50] for t in tags if t.strip()}),
    )
    version = _new_version(
        item=item, actor=actor, content=content, title=title, language=language,
        stimulus=stimulus, references=references, change_note="", number=1,
    )  # fmt: skip
    item.current_version = version
    item.save(update_fields=["current_version", "updated_at"])
    record_event(
        ItemBankEvent.ITEM_CREATED, actor=actor, subject=item, related=[version],
        data={"identifier": identifier, "version": 1, "interaction": content.interaction.value,
              "source": source},
    )  # fmt: skip
    return item


def _check_classification(bank: ItemBank, domain: Any | None, task: Any | None) -> None:
    if domain is not None and domain.get_scheme_id() != bank.scheme_id:
        raise ItemBankError(
            "different_scheme", _("The competence domain belongs to another scheme.")
        )
    if task is not None and (domain is None or task.domain_id != domain.pk):
        raise ItemBankError(
            "task_not_in_domain", _("The task does not belong to the item's domain.")
        )


@transaction.atomic(durable=True)
def create_item(
    *,
    actor: Any,
    bank: ItemBank,
    identifier: str,
    title: str,
    content: ItemContent,
    language: str = "",
    competence_domain: Any | None = None,
    competence_task: Any | None = None,
    cognitive_level: str = "",
    tags: Iterable[str] = (),
    references: str = "",
    stimulus: Stimulus | None = None,
) -> Item:
    """Write a new item (version 1, draft)."""
    require_item_role(actor, RoleCode.ITEM_AUTHOR, bank)
    return _create_item(
        actor=actor, bank=bank, identifier=identifier, title=title, content=content,
        language=language, competence_domain=competence_domain, competence_task=competence_task,
        cognitive_level=cognitive_level, tags=tags, references=references, stimulus=stimulus,
    )  # fmt: skip


def _lock(item: Item) -> Item:
    return (
        Item.objects.select_for_update(of=("self",))
        .select_related("bank", "current_version")
        .get(pk=item.pk)
    )


def _revise_item(
    *,
    actor: Any,
    item: Item,
    content: ItemContent,
    title: str,
    language: str = "",
    references: str | None = None,
    stimulus: Stimulus | None = None,
    change_note: str = "",
) -> ItemVersion:
    content = checked_content(content)
    if not can_proceed(item.revise):
        raise ItemBankError(
            "wrong_status",
            _("An item in review or retired cannot be changed (status: %(status)s).")
            % {"status": item.get_status_display()},
        )
    current = item.current_version
    language = language or (current.language if current else item.bank.language)
    title, language = normalised_title_language(item, title, language)
    new_hash = content_hash(
        content if stimulus is None else _with_stimulus(content, stimulus),
        title=title,
        language=language,
    )
    if current is not None and current.content_hash == new_hash:
        raise ItemBankError("unchanged", _("Nothing changed: this is the current version."))
    number = (item.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = _new_version(
        item=item, actor=actor, content=content, title=title, language=language, stimulus=stimulus,
        references=references if references is not None else (current.references if current else ""),
        change_note=change_note, number=number,
    )  # fmt: skip
    previous = item.status
    item.revise()
    item.current_version = version
    item.save(update_fields=["status", "current_version", "updated_at"])
    record_event(
        ItemBankEvent.ITEM_REVISED, actor=actor, subject=item, related=[version],
        data={"identifier": item.identifier, "version": number, "previous_status": previous},
    )  # fmt: skip
    return version


def _with_stimulus(content: ItemContent, stimulus: Stimulus) -> ItemContent:
    import dataclasses

    return dataclasses.replace(content, stimulus=stimulus.identifier)


@transaction.atomic(durable=True)
def revise_item(
    *,
    actor: Any,
    item: Item,
    content: ItemContent,
    title: str,
    language: str = "",
    references: str | None = None,
    stimulus: Stimulus | None = None,
    change_note: str = "",
) -> ItemVersion:
    """Write a new version; the item goes back to draft and must be reviewed again."""
    item = _lock(item)
    require_item_role(actor, RoleCode.ITEM_AUTHOR, item.bank)
    return _revise_item(
        actor=actor, item=item, content=content, title=title, language=language,
        references=references, stimulus=stimulus, change_note=change_note,
    )  # fmt: skip


@transaction.atomic(durable=True)
def classify_item(
    *,
    actor: Any,
    item: Item,
    competence_domain: Any | None,
    competence_task: Any | None,
    cognitive_level: str,
    tags: Iterable[str],
) -> Item:
    """Change what the item measures and how it is found (not its text: no new version)."""
    item = _lock(item)
    require_any_item_role(actor, (RoleCode.ITEM_AUTHOR, RoleCode.PSYCHOMETRICIAN), item.bank)
    _check_classification(item.bank, competence_domain, competence_task)
    item.competence_domain = competence_domain
    item.competence_task = competence_task
    item.cognitive_level = cognitive_level
    item.tags = sorted({t.strip()[:50] for t in tags if t.strip()})
    item.save(update_fields=["competence_domain", "competence_task", "cognitive_level", "tags",
                             "updated_at"])  # fmt: skip
    record_event(
        ItemBankEvent.ITEM_CLASSIFIED, actor=actor, subject=item,
        data={"domain_id": getattr(competence_domain, "pk", None), "level": cognitive_level},
    )  # fmt: skip
    return item


@transaction.atomic(durable=True)
def set_enemies(*, actor: Any, item: Item, enemies: Iterable[Item]) -> Item:
    """Items that must never appear together on a form with this one (symmetrical)."""
    item = _lock(item)
    require_any_item_role(actor, (RoleCode.ITEM_AUTHOR, RoleCode.PSYCHOMETRICIAN), item.bank)
    enemy_list = list(enemies)
    for enemy in enemy_list:
        if enemy.pk == item.pk:
            raise ItemBankError("enemy_of_itself", _("An item cannot be its own enemy."))
        if enemy.bank_id != item.bank_id:
            raise ItemBankError("different_bank", _("Enemies must be in the same bank."))
    item.enemies.set(enemy_list)
    record_event(
        ItemBankEvent.ITEM_CLASSIFIED, actor=actor, subject=item, related=enemy_list,
        data={"enemies": sorted(e.identifier for e in enemy_list)},
    )  # fmt: skip
    return item


def _authors_of(item: Item) -> set[int]:
    authors = set(item.versions.exclude(created_by=None).values_list("created_by_id", flat=True))
    if item.author_id is not None:
        authors.add(item.author_id)
    return authors


@transaction.atomic(durable=True)
def submit_item(*, actor: Any, item: Item) -> Item:
    """Send the current version for review."""
    item = _lock(item)
    require_item_role(actor, RoleCode.ITEM_AUTHOR, item.bank)
    if not can_proceed(item.submit):
        raise ItemBankError("not_draft", _("Only a draft item can be sent for review."))
    item.submit()
    item.save(update_fields=["status", "updated_at"])
    record_event(
        ItemBankEvent.ITEM_SUBMITTED, actor=actor, subject=item,
        data={"identifier": item.identifier},
    )  # fmt: skip
    return item


@transaction.atomic(durable=True)
def review_item(*, actor: Any, item: Item, decision: str, comment: str = "") -> ItemReview:
    """A reviewer who wrote no version of the item approves it or asks for changes."""
    item = _lock(item)
    require_item_role(actor, RoleCode.ITEM_REVIEWER, item.bank)
    if actor is not None and actor.pk in _authors_of(item):
        raise ItemImpartialityError(
            "reviewer_is_author", _("You wrote this item; another reviewer must review it.")
        )
    if item.status != ItemStatus.IN_REVIEW:
        raise ItemBankError("not_in_review", _("The item is not waiting for review."))
    if decision not in ReviewDecision.values:
        raise ItemInputError("invalid", _("Choose approve or request changes."))
    if decision == ReviewDecision.REQUEST_CHANGES and not comment.strip():
        raise ItemInputError("comment_required", _("Say what must change."))
    version = item.current_version
    assert version is not None
    review = ItemReview.objects.create(
        item_version=version, reviewer=actor, decision=decision, comment=comment.strip()
    )
    if decision == ReviewDecision.APPROVE:
        item.approve()
        event = ItemBankEvent.ITEM_APPROVED
    else:
        item.return_to_author()
        event = ItemBankEvent.ITEM_RETURNED
    item.save(update_fields=["status", "updated_at"])
    record_event(
        event, actor=actor, subject=item, related=[version, review],
        data={"identifier": item.identifier, "version": version.number, "decision": decision},
    )  # fmt: skip
    author = version.created_by or item.author
    if author is not None and actor is not None and author.pk != actor.pk:
        queue_notification(
            template="itembank_item_reviewed",
            recipient_email=author.email,
            recipient_user=author,
            subject=item,
            context={"identifier": item.identifier, "version": version.number,
                     "approved": decision == ReviewDecision.APPROVE, "bank": item.bank.name},
        )  # fmt: skip
    return review


def _lifecycle(
    *, actor: Any, item: Item, method: str, event: ItemBankEvent, reason: str = ""
) -> Item:
    item = _lock(item)
    require_item_role(actor, RoleCode.PSYCHOMETRICIAN, item.bank)
    transition = getattr(item, method)
    if not can_proceed(transition):
        raise ItemBankError(
            "wrong_status",
            _("This change is not possible from the status %(status)s.")
            % {"status": item.get_status_display()},
        )
    previous = item.status
    transition()
    item.save(update_fields=["status", "updated_at"])
    record_event(
        event, actor=actor, subject=item, reason=reason,
        data={"identifier": item.identifier, "previous_status": previous},
    )  # fmt: skip
    return item


@transaction.atomic(durable=True)
def pilot_item(*, actor: Any, item: Item) -> Item:
    """Put an approved item into pilot (unscored field test)."""
    return _lifecycle(actor=actor, item=item, method="pilot", event=ItemBankEvent.ITEM_PILOTED)


@transaction.atomic(durable=True)
def make_item_operational(*, actor: Any, item: Item) -> Item:
    """Let an approved or piloted item be scored on live forms."""
    return _lifecycle(
        actor=actor, item=item, method="make_operational", event=ItemBankEvent.ITEM_MADE_OPERATIONAL
    )


@transaction.atomic(durable=True)
def retire_item(*, actor: Any, item: Item, reason: str) -> Item:
    """Retire an item; forms already approved keep their versions."""
    if not reason.strip():
        raise ItemInputError("reason_required", _("Say why the item is retired."))
    return _lifecycle(
        actor=actor, item=item, method="retire", event=ItemBankEvent.ITEM_RETIRED, reason=reason
    )


@transaction.atomic(durable=True)
def record_item_exposure(*, item_version_ids: Sequence[int], at: dt.datetime) -> int:
    """Count one delivery of each version's item (called by exam delivery). Returns items touched."""
    item_ids = set(
        ItemVersion.objects.filter(pk__in=item_version_ids).values_list("item_id", flat=True)
    )
    return Item.objects.filter(pk__in=item_ids).update(
        exposure_count=F("exposure_count") + 1, last_exposed_at=at
    )


@transaction.atomic(durable=True)
def rest_overexposed_items(*, now: dt.datetime) -> int:
    """Rest every item delivered at least its bank's exposure limit; the count starts again."""
    rested = 0
    today = now.date()
    for bank in ItemBank.objects.all():
        due = Item.objects.filter(bank=bank, exposure_count__gte=bank.exposure_limit).exclude(
            resting_until__gt=today
        )
        ids = list(due.values_list("pk", flat=True))
        if not ids:
            continue
        until = today + dt.timedelta(days=bank.rest_days)
        Item.objects.filter(pk__in=ids).update(resting_until=until, exposure_count=0)
        record_event(
            ItemBankEvent.ITEMS_RESTED, actor=None, subject=bank,
            data={"count": len(ids), "until": until.isoformat()},
        )  # fmt: skip
        rested += len(ids)
    return rested


@transaction.atomic(durable=True)
def record_item_statistics(
    *,
    actor: Any,
    item_version: ItemVersion,
    n: int,
    source: str,
    computed_at: dt.datetime | None = None,
    p_value: float | None = None,
    point_biserial: float | None = None,
    irt_a: float | None = None,
    irt_b: float | None = None,
) -> ItemStatistics:
    """Keep one analysis' figures for an item version (the psychometrics engine calls this)."""
    bank = item_version.item.bank
    require_item_role(actor, RoleCode.PSYCHOMETRICIAN, bank)
    if n < 1:
        raise ItemInputError("n_required", _("Statistics need at least one response."))
    if p_value is not None and not 0 <= p_value <= 1:
        raise ItemInputError("p_value", _("A p-value lies between 0 and 1."))
    if point_biserial is not None and not -1 <= point_biserial <= 1:
        raise ItemInputError("point_biserial", _("A point-biserial lies between -1 and 1."))
    statistics = ItemStatistics.objects.create(
        item_version=item_version, p_value=p_value, point_biserial=point_biserial, irt_a=irt_a,
        irt_b=irt_b, n=n, computed_at=computed_at or timezone.now(), source=source[:100],
    )  # fmt: skip
    record_event(
        ItemBankEvent.STATISTICS_RECORDED, actor=actor, subject=statistics,
        related=[item_version], data={"n": n, "source": source[:100]},
    )  # fmt: skip
    return statistics


@transaction.atomic(durable=True)
def create_stimulus(
    *, actor: Any, bank: ItemBank, identifier: str, title: str, body: str
) -> Stimulus:
    """A shared stimulus (a case, a passage) that several items of the bank refer to."""
    from peritus.itembank.qti.markup import MarkupError, canonical_flow

    require_item_role(actor, RoleCode.ITEM_AUTHOR, bank)
    if not _identifier_ok(identifier):
        raise ItemInputError("invalid_identifier", _("The identifier must be a QTI identifier."))
    if Stimulus.objects.filter(bank=bank, identifier=identifier).exists():
        raise ItemBankError(
            "stimulus_exists", _("A stimulus with this identifier exists in the bank.")
        )
    try:
        body = canonical_flow(body)
    except MarkupError as error:
        raise ItemInputError(error.code, error.message) from None
    stimulus = Stimulus.objects.create(
        bank=bank, identifier=identifier, title=title.strip()[:200], body=body
    )
    record_event(
        ItemBankEvent.ITEM_CREATED, actor=actor, subject=stimulus, data={"stimulus": identifier}
    )
    return stimulus

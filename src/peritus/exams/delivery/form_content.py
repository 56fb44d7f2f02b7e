"""The delivered form as delivery needs it, read once per process.

An approved form is frozen and its item versions never change (itembank), so what a form holds
can be kept in memory: every answer save needs the item's content to check the response, and
must not pay a query for it. The cache key carries the form's approval time as well as its id,
so a test database that reuses ids never serves another form.
"""

from __future__ import annotations

import dataclasses
import functools
from decimal import Decimal

from peritus.itembank.models import ExamForm, ExamFormEntry
from peritus.itembank.qti.content import InteractionType, ItemContent, content_from_dict
from peritus.itembank.statistics.selectors import get_form_pass_mark


@dataclasses.dataclass(frozen=True)
class DeliveredItem:
    entry_id: int
    form_position: int
    item_version_id: int
    label: str  # the item's identifier (staff only)
    content: ItemContent
    points: Decimal
    domain_code: str
    domain_title: str
    stimulus_id: int | None
    stimulus_body: str

    @property
    def is_rubric(self) -> bool:
        return self.content.interaction is InteractionType.EXTENDED_RESPONSE


@dataclasses.dataclass(frozen=True)
class DeliveredForm:
    form_id: int
    code: str
    items: tuple[DeliveredItem, ...]
    time_limit_minutes: int
    bank_id: int

    @functools.cached_property
    def by_entry(self) -> dict[int, DeliveredItem]:
        return {item.entry_id: item for item in self.items}

    @property
    def total_points(self) -> Decimal:
        return sum((item.points for item in self.items), Decimal(0))

    @property
    def has_rubric_items(self) -> bool:
        return any(item.is_rubric for item in self.items)


def form_stamp(form: ExamForm) -> str:
    return form.approved_at.isoformat() if form.approved_at else f"unapproved:{form.updated_at}"


def cut_score_of(form: ExamForm) -> Decimal | None:
    """The form's raw pass mark: the approved standard-setting study's (R18), None without one.

    Read when scoring, never cached: a later study may supersede the one in force.
    """
    return get_form_pass_mark(form)


@functools.lru_cache(maxsize=64)
def _load(form_id: int, stamp: str) -> DeliveredForm:
    form = ExamForm.objects.select_related("blueprint").get(pk=form_id)
    entries = ExamFormEntry.objects.filter(form_id=form_id).select_related(
        "item_version__item__competence_domain", "item_version__stimulus"
    )
    items = []
    for entry in entries.order_by("position"):
        version = entry.item_version
        domain = version.item.competence_domain
        items.append(
            DeliveredItem(
                entry_id=entry.pk,
                form_position=entry.position,
                item_version_id=version.pk,
                label=version.item.identifier,
                content=content_from_dict(version.content),
                points=entry.points,
                domain_code=domain.code if domain else "",
                domain_title=domain.title if domain else "",
                stimulus_id=version.stimulus_id,
                stimulus_body=version.stimulus.body if version.stimulus else "",
            )
        )
    return DeliveredForm(
        form_id=form_id,
        code=form.code,
        items=tuple(items),
        time_limit_minutes=form.blueprint.time_limit_minutes,
        bank_id=form.blueprint.bank_id,
    )


def delivered_form(form: ExamForm) -> DeliveredForm:
    return _load(form.pk, form_stamp(form))


def delivered_form_by_id(form_id: int, stamp: str) -> DeliveredForm:
    """For the answer save, which reads the id and stamp in its one query."""
    return _load(form_id, stamp)


def clear_cache() -> None:
    _load.cache_clear()

"""The order in which one candidate sees the items of a form and the options of each item.

Pure and seeded: the attempt records the seed *and* the resulting orders, so what a candidate saw
can be shown in an appeal without re-running anything. Items sharing a stimulus stay together in
the form's order; options are shuffled only where the item allows it (QTI `shuffle`), except
ordering items, whose options are always shown out of the keyed order.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence

from peritus.itembank.qti.content import InteractionType


@dataclasses.dataclass(frozen=True)
class DeliveredEntry:
    """What the ordering needs to know about one entry of the form."""

    entry_id: int
    interaction: InteractionType
    option_ids: tuple[str, ...]
    right_ids: tuple[str, ...] = ()  # matching items: the right-hand column
    may_shuffle: bool = False  # the item allows its options to be shuffled
    stimulus_id: int | None = None
    key: tuple[str, ...] = ()  # ordering items only: the keyed order, never shown as is


@dataclasses.dataclass(frozen=True)
class DeliveryOrder:
    item_order: tuple[int, ...]  # entry ids in the order the candidate sees them
    option_orders: dict[int, tuple[str, ...]]  # entry id → option ids as shown


def _rng(seed: int, salt: str) -> random.Random:
    # String seeds are hashed with SHA-512 by `random`, stable across runs and platforms.
    return random.Random(f"{seed}:{salt}")  # noqa: S311 - presentation order, not a secret


def _shuffled(values: Sequence[str], rng: random.Random) -> tuple[str, ...]:
    result = list(values)
    rng.shuffle(result)
    return tuple(result)


def delivery_order(
    entries: Sequence[DeliveredEntry], *, seed: int, shuffle_items: bool, shuffle_options: bool
) -> DeliveryOrder:
    """The item and option order for one candidate, from the form's entries in form order."""
    groups: list[list[DeliveredEntry]] = []
    by_stimulus: dict[int, list[DeliveredEntry]] = {}
    for entry in entries:
        if entry.stimulus_id is None:
            groups.append([entry])
        elif entry.stimulus_id in by_stimulus:
            by_stimulus[entry.stimulus_id].append(entry)
        else:
            by_stimulus[entry.stimulus_id] = [entry]
            groups.append(by_stimulus[entry.stimulus_id])
    if shuffle_items:
        _rng(seed, "items").shuffle(groups)
    item_order = tuple(entry.entry_id for group in groups for entry in group)

    option_orders: dict[int, tuple[str, ...]] = {}
    for entry in entries:
        rng = _rng(seed, f"options:{entry.entry_id}")
        if entry.interaction is InteractionType.ORDER:
            shown = _shuffled(entry.option_ids, rng)
            if len(shown) > 1 and shown == entry.key:
                shown = shown[1:] + shown[:1]  # never present the answer
            option_orders[entry.entry_id] = shown
        elif entry.interaction is InteractionType.MATCH:
            right = entry.right_ids
            if shuffle_options and entry.may_shuffle:
                right = _shuffled(right, rng)
            option_orders[entry.entry_id] = entry.option_ids + right
        elif (
            shuffle_options
            and entry.may_shuffle
            and entry.interaction is not InteractionType.TRUE_FALSE
            and entry.option_ids
        ):
            option_orders[entry.entry_id] = _shuffled(entry.option_ids, rng)
        else:
            option_orders[entry.entry_id] = entry.option_ids
    return DeliveryOrder(item_order=item_order, option_orders=option_orders)

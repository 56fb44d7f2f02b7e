"""Item and option order per candidate: seeded, recorded, never showing an ordering's key."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from peritus.exams.delivery.ordering import DeliveredEntry, delivery_order
from peritus.itembank.qti.content import InteractionType

CHOICE = InteractionType.SINGLE_CHOICE


def entries(count: int = 8) -> list[DeliveredEntry]:
    return [
        DeliveredEntry(n, CHOICE, ("A", "B", "C", "D"), may_shuffle=True)
        for n in range(1, count + 1)
    ]


@given(st.integers(min_value=0, max_value=2**62))
def test_the_same_seed_gives_the_same_order(seed: int) -> None:
    first = delivery_order(entries(), seed=seed, shuffle_items=True, shuffle_options=True)
    again = delivery_order(entries(), seed=seed, shuffle_items=True, shuffle_options=True)

    assert first == again
    assert sorted(first.item_order) == list(range(1, 9))


def test_different_seeds_give_candidates_different_orders() -> None:
    orders = {
        delivery_order(entries(), seed=seed, shuffle_items=True, shuffle_options=False).item_order
        for seed in range(20)
    }

    assert len(orders) > 10


def test_without_shuffling_the_form_order_stands() -> None:
    order = delivery_order(entries(), seed=7, shuffle_items=False, shuffle_options=False)

    assert order.item_order == tuple(range(1, 9))
    assert set(order.option_orders.values()) == {("A", "B", "C", "D")}


def test_options_stay_in_place_when_the_item_forbids_shuffling() -> None:
    fixed = [DeliveredEntry(1, CHOICE, ("A", "B", "C", "D"), may_shuffle=False)]

    orders = {
        delivery_order(fixed, seed=seed, shuffle_items=True, shuffle_options=True).option_orders[1]
        for seed in range(20)
    }

    assert orders == {("A", "B", "C", "D")}


@given(st.integers(min_value=0, max_value=2**62))
def test_items_sharing_a_stimulus_stay_together_in_form_order(seed: int) -> None:
    items = [
        DeliveredEntry(1, CHOICE, ("A", "B")),
        DeliveredEntry(2, CHOICE, ("A", "B"), stimulus_id=9),
        DeliveredEntry(3, CHOICE, ("A", "B"), stimulus_id=9),
        DeliveredEntry(4, CHOICE, ("A", "B")),
        DeliveredEntry(5, CHOICE, ("A", "B"), stimulus_id=9),
    ]

    order = list(
        delivery_order(items, seed=seed, shuffle_items=True, shuffle_options=True).item_order
    )

    start = order.index(2)
    assert order[start : start + 3] == [2, 3, 5]


@given(st.integers(min_value=0, max_value=2**62))
def test_an_ordering_item_is_never_shown_in_its_keyed_order(seed: int) -> None:
    item = DeliveredEntry(1, InteractionType.ORDER, ("P1", "P2", "P3"), key=("P1", "P2", "P3"))

    order = delivery_order([item], seed=seed, shuffle_items=False, shuffle_options=False)

    assert order.option_orders[1] != ("P1", "P2", "P3")
    assert sorted(order.option_orders[1]) == ["P1", "P2", "P3"]


def test_true_false_options_are_never_shuffled() -> None:
    item = DeliveredEntry(1, InteractionType.TRUE_FALSE, ("true", "false"), may_shuffle=True)

    orders = {
        delivery_order([item], seed=s, shuffle_items=True, shuffle_options=True).option_orders[1]
        for s in range(10)
    }

    assert orders == {("true", "false")}

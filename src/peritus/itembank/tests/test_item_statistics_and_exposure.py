"""Statistics from the psychometrics engine, exposure counting and resting over-exposed items."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peritus.accounts.models import User
from peritus.itembank.errors import ItemInputError
from peritus.itembank.models import Item, ItemBank, ItemStatistics
from peritus.itembank.selectors import list_statistics_history
from peritus.itembank.services import (
    record_item_exposure,
    record_item_statistics,
    rest_overexposed_items,
)
from peritus.itembank.tests.factories import make_item

pytestmark = pytest.mark.django_db


def test_statistics_are_kept_per_version_newest_first(
    bank: ItemBank, author: User, psychometrician: User
) -> None:
    item = make_item(bank, author)
    version = Item.objects.get(pk=item.pk).current_version
    assert version is not None
    now = timezone.now()

    record_item_statistics(actor=psychometrician, item_version=version, n=180, p_value=0.62,
                           point_biserial=0.31, source="pilot 2026-03", computed_at=now - dt.timedelta(days=30))  # fmt: skip
    record_item_statistics(actor=None, item_version=version, n=412, p_value=0.58, point_biserial=0.35,
                           irt_a=1.1, irt_b=-0.2, source="psychometrics 2PL", computed_at=now)  # fmt: skip

    history = list(list_statistics_history(item))
    assert [(s.n, s.source) for s in history] == [
        (412, "psychometrics 2PL"),
        (180, "pilot 2026-03"),
    ]


def test_a_p_value_outside_zero_and_one_is_refused(
    bank: ItemBank, author: User, psychometrician: User
) -> None:
    version = Item.objects.get(pk=make_item(bank, author).pk).current_version
    assert version is not None

    with pytest.raises(ItemInputError) as error:
        record_item_statistics(
            actor=psychometrician, item_version=version, n=10, p_value=1.2, source="x"
        )

    assert error.value.code == "p_value"
    assert ItemStatistics.objects.count() == 0


def test_over_exposed_items_rest_for_the_bank_s_rest_period(bank: ItemBank, author: User) -> None:
    bank.exposure_limit = 2
    bank.rest_days = 30
    bank.save()
    item = make_item(bank, author)
    version_id = Item.objects.get(pk=item.pk).current_version_id
    assert version_id is not None
    now = timezone.now()
    record_item_exposure(item_version_ids=[version_id], at=now)
    record_item_exposure(item_version_ids=[version_id], at=now)

    assert rest_overexposed_items(now=now) == 1

    item = Item.objects.get(pk=item.pk)
    assert item.resting_until == now.date() + dt.timedelta(days=30)
    assert item.exposure_count == 0
    assert rest_overexposed_items(now=now) == 0

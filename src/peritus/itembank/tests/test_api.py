"""The item bank API: item text only for item roles; others get 404 (existence does not leak)."""

from __future__ import annotations

import pytest
from django.test import Client

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.itembank.models import ItemBank
from peritus.itembank.tests.factories import make_item

pytestmark = pytest.mark.django_db


def test_an_item_author_reads_an_item_with_its_key(
    client: Client, bank: ItemBank, author: User
) -> None:
    make_item(bank, author, identifier="KEYS-001")
    client.force_login(author)

    body = client.get(f"/api/v1/itembank/banks/{bank.slug}/items/KEYS-001").json()

    assert body["identifier"] == "KEYS-001"
    assert body["content"]["key"] == ["B"]


def test_the_item_list_carries_no_text(client: Client, bank: ItemBank, author: User) -> None:
    make_item(bank, author, identifier="KEYS-001")
    client.force_login(author)

    body = client.get(f"/api/v1/itembank/banks/{bank.slug}/items").json()

    assert [i["identifier"] for i in body] == ["KEYS-001"]
    assert "content" not in body[0]
    assert "Short-lived" not in str(body)


@pytest.mark.parametrize("role", [RoleCode.INVIGILATOR, RoleCode.ADMINISTRATOR, RoleCode.EXAMINER])
def test_staff_without_an_item_role_get_not_found(
    client: Client, bank: ItemBank, author: User, role: RoleCode
) -> None:
    make_item(bank, author, identifier="KEYS-001")
    client.force_login(
        make_staff(role, scheme=bank.scheme if role != RoleCode.ADMINISTRATOR else None)
    )

    response = client.get(f"/api/v1/itembank/banks/{bank.slug}/items/KEYS-001")

    assert response.status_code == 404
    assert "Short-lived" not in response.content.decode()
    assert client.get("/api/v1/itembank/banks").json() == []

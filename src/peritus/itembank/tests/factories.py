"""Factories for banks and items. Realistic, invented content; no real-world personal data."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Mapping
from typing import Any

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.itembank.models import Item, ItemBank
from peritus.itembank.qti.content import InteractionType, ItemContent, Option, Scoring
from peritus.itembank.services import create_item
from peritus.schemes.models import Scheme
from peritus.schemes.tests.factories import make_scheme

_counter = iter(range(1, 10**9))


def make_bank(scheme: Scheme | None = None, **fields: Any) -> ItemBank:
    n = next(_counter)
    values: dict[str, Any] = {"slug": f"bank-{n}", "name": f"Cloud security items {n}"}
    values.update(fields)
    return ItemBank.objects.create(scheme=scheme or make_scheme(), **values)


def single_choice(key: str = "B", points: float = 1.0) -> ItemContent:
    return ItemContent(
        interaction=InteractionType.SINGLE_CHOICE,
        stem="<p>Which control best limits the damage of a leaked access key?</p>",
        options=(
            Option("A", "Longer passwords", rationale="Passwords do not protect keys."),
            Option("B", "Short-lived credentials", rationale="A leaked key soon expires."),
            Option("C", "A bigger firewall"),
        ),
        key=(key,),
        scoring=Scoring(points=points),
    )


def make_item(
    bank: ItemBank, author: User, *, identifier: str | None = None, **fields: Any
) -> Item:
    content = fields.pop("content", None) or single_choice()
    return create_item(
        actor=author,
        bank=bank,
        identifier=identifier or f"ITEM-{next(_counter)}",
        title=fields.pop("title", "Leaked access keys"),
        content=content,
        **fields,
    )


def make_author(scheme: Scheme | None = None, **fields: Any) -> User:
    return make_staff(RoleCode.ITEM_AUTHOR, scheme=scheme, **fields)


def make_reviewer(scheme: Scheme | None = None, **fields: Any) -> User:
    return make_staff(RoleCode.ITEM_REVIEWER, scheme=scheme, **fields)


def make_psychometrician(scheme: Scheme | None = None, **fields: Any) -> User:
    return make_staff(RoleCode.PSYCHOMETRICIAN, scheme=scheme, **fields)


def zip_package(files: Mapping[str, bytes | str], *, manifest: str | None = None) -> bytes:
    """A zip with `files`; when `manifest` is None one is written listing every .xml as a QTI item."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        if manifest is None:
            manifest = manifest_for(
                (path, "imsqti_item_xmlv3p0" if "qti3" in path else "imsqti_item_xmlv2p1")
                for path in files
                if path.endswith(".xml")
            )
        archive.writestr("imsmanifest.xml", manifest)
        for path, data in files.items():
            archive.writestr(path, data)
    return buffer.getvalue()


def manifest_for(resources: Iterable[tuple[str, str]]) -> str:
    body = "".join(
        f'<resource identifier="R{n}" type="{kind}" href="{path}"><file href="{path}"/></resource>'
        for n, (path, kind) in enumerate(resources)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="TEST">'
        f"<organizations/><resources>{body}</resources></manifest>"
    )


def make_operational_item(
    bank: ItemBank,
    *,
    author: User,
    reviewer: User,
    psychometrician: User,
    domain: Any = None,
    level: str = "apply",
    **fields: Any,
) -> Item:
    """An item taken through review to operational, with the services (so it obeys the rules)."""
    from peritus.itembank.models import ReviewDecision
    from peritus.itembank.services import make_item_operational, review_item, submit_item

    item = make_item(bank, author, competence_domain=domain, cognitive_level=level, **fields)
    submit_item(actor=author, item=item)
    review_item(actor=reviewer, item=item, decision=ReviewDecision.APPROVE)
    make_item_operational(actor=psychometrician, item=item)
    return Item.objects.get(pk=item.pk)

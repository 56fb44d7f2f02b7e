"""Writing, versioning and reviewing items: the lifecycle and its hard rules."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from django.core import mail

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import grant_role, make_staff
from peritus.audit_trail.models import AuditEvent
from peritus.itembank.errors import (
    ItemAccessError,
    ItemBankError,
    ItemImpartialityError,
    ItemInputError,
)
from peritus.itembank.models import Item, ItemBank, ItemStatus, ItemVersion, ReviewDecision
from peritus.itembank.services import (
    make_item_operational,
    pilot_item,
    retire_item,
    review_item,
    revise_item,
    submit_item,
)
from peritus.itembank.tests.factories import make_item, single_choice
from peritus.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def _fresh(item: Item) -> Item:
    return Item.objects.get(pk=item.pk)


def test_a_new_item_is_a_draft_with_its_first_version(bank: ItemBank, author: User) -> None:
    item = make_item(bank, author, identifier="KEYS-001")

    item = _fresh(item)
    assert item.status == ItemStatus.DRAFT
    assert item.author == author
    assert item.current_version is not None
    assert (item.current_version.number, item.current_version.max_score) == (1, Decimal(1))


def test_an_item_without_its_key_is_refused(bank: ItemBank, author: User) -> None:
    with pytest.raises(ItemInputError) as error:
        make_item(bank, author, content=dataclasses.replace(single_choice(), key=()))

    assert error.value.code == "key_required"


def test_every_edit_makes_a_new_version_and_old_versions_stay_as_they_were(
    bank: ItemBank, author: User
) -> None:
    item = make_item(bank, author)
    first = _fresh(item).current_version
    assert first is not None

    revise_item(
        actor=author,
        item=item,
        content=single_choice(key="A"),
        title="Leaked keys",
        change_note="Key fixed",
    )

    item = _fresh(item)
    assert item.current_version is not None
    assert item.current_version.number == 2
    assert ItemVersion.objects.get(pk=first.pk).content["key"] == ["B"]


def test_saving_the_same_content_again_is_refused_as_unchanged(
    bank: ItemBank, author: User
) -> None:
    item = make_item(bank, author, title="Leaked access keys")

    with pytest.raises(ItemBankError) as error:
        revise_item(actor=author, item=item, content=single_choice(), title="Leaked access keys")

    assert error.value.code == "unchanged"


def test_the_author_cannot_review_their_own_item(bank: ItemBank, author: User) -> None:
    grant_role(author, RoleCode.ITEM_REVIEWER, scheme=bank.scheme)
    item = make_item(bank, author)
    submit_item(actor=author, item=item)

    with pytest.raises(ItemImpartialityError) as error:
        review_item(actor=author, item=item, decision=ReviewDecision.APPROVE)

    assert error.value.code == "reviewer_is_author"
    assert _fresh(item).status == ItemStatus.IN_REVIEW


def test_whoever_wrote_any_version_cannot_review(
    bank: ItemBank, author: User, item_reviewer: User
) -> None:
    grant_role(item_reviewer, RoleCode.ITEM_AUTHOR, scheme=bank.scheme)
    item = make_item(bank, author)
    revise_item(
        actor=item_reviewer,
        item=item,
        content=single_choice(key="C"),
        title="Edited by a second author",
    )
    submit_item(actor=author, item=item)

    with pytest.raises(ItemImpartialityError):
        review_item(actor=item_reviewer, item=item, decision=ReviewDecision.APPROVE)


def test_a_second_person_approves_and_the_author_is_told_without_the_item_text(
    bank: ItemBank, author: User, item_reviewer: User
) -> None:
    item = make_item(bank, author, identifier="KEYS-002")
    submit_item(actor=author, item=item)

    review = review_item(
        actor=item_reviewer, item=item, decision=ReviewDecision.APPROVE, comment="Clear."
    )

    assert _fresh(item).status == ItemStatus.APPROVED
    assert review.item_version == _fresh(item).current_version
    message = OutboxMessage.objects.get(template="itembank_item_reviewed")
    assert "KEYS-002" in message.subject
    assert "Short-lived" not in message.body
    assert "leaked" not in message.body.lower()


def test_asking_for_changes_needs_a_comment_and_returns_the_item_to_draft(
    bank: ItemBank, author: User, item_reviewer: User
) -> None:
    item = make_item(bank, author)
    submit_item(actor=author, item=item)
    with pytest.raises(ItemInputError):
        review_item(actor=item_reviewer, item=item, decision=ReviewDecision.REQUEST_CHANGES)

    review_item(
        actor=item_reviewer,
        item=item,
        decision=ReviewDecision.REQUEST_CHANGES,
        comment="Option C is silly.",
    )

    assert _fresh(item).status == ItemStatus.DRAFT


def test_the_lifecycle_runs_from_approved_through_pilot_to_operational_and_retired(
    bank: ItemBank, author: User, item_reviewer: User, psychometrician: User
) -> None:
    item = make_item(bank, author)
    submit_item(actor=author, item=item)
    review_item(actor=item_reviewer, item=item, decision=ReviewDecision.APPROVE)

    pilot_item(actor=psychometrician, item=item)
    make_item_operational(actor=psychometrician, item=item)
    assert _fresh(item).status == ItemStatus.OPERATIONAL
    retire_item(actor=psychometrician, item=item, reason="Outdated after the 2026 guidance")

    assert _fresh(item).status == ItemStatus.RETIRED
    with pytest.raises(ItemBankError) as error:
        revise_item(actor=author, item=item, content=single_choice(key="A"), title="x")
    assert error.value.code == "wrong_status"


def test_a_draft_cannot_skip_review(bank: ItemBank, author: User, psychometrician: User) -> None:
    item = make_item(bank, author)

    with pytest.raises(ItemBankError) as error:
        make_item_operational(actor=psychometrician, item=item)

    assert error.value.code == "wrong_status"


def test_revising_an_operational_item_sends_it_back_to_review(
    bank: ItemBank, author: User, item_reviewer: User, psychometrician: User
) -> None:
    item = make_item(bank, author)
    submit_item(actor=author, item=item)
    review_item(actor=item_reviewer, item=item, decision=ReviewDecision.APPROVE)
    make_item_operational(actor=psychometrician, item=item)

    revise_item(actor=author, item=item, content=single_choice(key="A"), title="Reworded")

    assert _fresh(item).status == ItemStatus.DRAFT


def test_an_invigilator_holding_an_item_role_is_kept_out(bank: ItemBank) -> None:
    invigilating_author = make_staff(RoleCode.ITEM_AUTHOR, RoleCode.INVIGILATOR, scheme=bank.scheme)

    with pytest.raises(ItemAccessError) as error:
        make_item(bank, invigilating_author)

    assert error.value.code == "information_barrier"


def test_an_author_of_another_scheme_cannot_write_in_this_bank(bank: ItemBank) -> None:
    from peritus.accounts.errors import RoleNotHeldError
    from peritus.schemes.tests.factories import make_scheme

    outsider = make_staff(RoleCode.ITEM_AUTHOR, scheme=make_scheme())

    with pytest.raises(RoleNotHeldError):
        make_item(bank, outsider)


def test_audit_events_of_the_workflow_never_hold_item_text(
    bank: ItemBank, author: User, item_reviewer: User
) -> None:
    item = make_item(bank, author)
    submit_item(actor=author, item=item)
    review_item(
        actor=item_reviewer,
        item=item,
        decision=ReviewDecision.REQUEST_CHANGES,
        comment="Reword the stem.",
    )

    payloads = " ".join(AuditEvent.objects.values_list("payload", flat=True))
    assert "Short-lived" not in payloads
    assert "leaked" not in payloads.lower()
    assert len(mail.outbox) == 0 or all("Short-lived" not in m.body for m in mail.outbox)


def test_someone_who_trained_candidates_recently_is_kept_out(bank: ItemBank, author: User) -> None:
    import datetime as dt

    from django.utils import timezone

    from peritus.accounts.tests.factories import PersonFactory
    from peritus.impartiality.models import TrainingRecord

    TrainingRecord.objects.create(
        trainer=author, person=PersonFactory(), course="Cloud security boot camp",
        started_on=timezone.localdate() - dt.timedelta(days=60), recorded_by=author,
    )  # fmt: skip

    with pytest.raises(ItemAccessError) as error:
        make_item(bank, author)

    assert error.value.code == "information_barrier"

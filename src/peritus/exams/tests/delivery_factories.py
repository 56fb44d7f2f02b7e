"""Helpers that build online exam sessions through the services (tests only).

`make_online_exam()` gives a published scheme version with an exam component, two competence
domains and an approved form holding one item of every interaction the item bank supports (the
form is written straight to the tables: assembling it is the item bank's business, tested there).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone

from peritus.accounts.models import Person, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_candidate, make_staff
from peritus.applications.models import AccommodationKind, AccommodationStatus, Application
from peritus.applications.tests.factories import make_accommodation, make_eligible_application
from peritus.exams.delivery import autosave, gate, sessions
from peritus.exams.delivery.autosave import SaveReceipt
from peritus.exams.delivery.form_content import clear_cache
from peritus.exams.models import Attempt, ExamSession
from peritus.exams.services import CandidateDeclaration, assign_personnel, declare_event_interests
from peritus.itembank.models import (
    Blueprint,
    BlueprintStatus,
    ExamForm,
    ExamFormEntry,
    FormStatus,
    Item,
    ItemBank,
    PassRule,
)
from peritus.itembank.qti.content import (
    GAP,
    InteractionType,
    ItemContent,
    Option,
    Scoring,
    ScoringMethod,
)
from peritus.itembank.services import create_item
from peritus.itembank.statistics.models import FormRelease, StandardSettingStudy, StudyStatus
from peritus.schemes.models import AssessmentComponent, AssessmentComponentKind, SchemeVersion
from peritus.schemes.tests.factories import make_component, make_domain, make_published_version

_counter = itertools.count(1)


def _choice(key: str, *, shuffle: bool = True) -> ItemContent:
    return ItemContent(
        interaction=InteractionType.SINGLE_CHOICE,
        stem="<p>Which control best limits the damage of a leaked access key?</p>",
        options=(Option("A", "Longer passwords"), Option("B", "Short-lived credentials"),
                 Option("C", "A bigger firewall"), Option("D", "Annual training")),
        key=(key,),
        shuffle=shuffle,
    )  # fmt: skip


ITEMS: dict[str, tuple[ItemContent, str]] = {
    "single": (_choice("B"), "D1"),
    "multiple": (
        ItemContent(
            interaction=InteractionType.MULTIPLE_RESPONSE,
            stem="<p>Which of these are forms of multi-factor authentication?</p>",
            options=(
                Option("A", "A hardware key"),
                Option("B", "A longer password"),
                Option("C", "A one-time code app"),
                Option("D", "A security question"),
            ),
            key=("A", "C"),
            scoring=Scoring(points=2.0),
            shuffle=True,
        ),
        "D1",
    ),
    "true_false": (
        ItemContent(
            interaction=InteractionType.TRUE_FALSE,
            stem="<p>Encryption at rest protects data on a stolen disk.</p>",
            options=(Option("true", "True"), Option("false", "False")),
            key=("true",),
        ),
        "D2",
    ),
    "text": (
        ItemContent(
            interaction=InteractionType.TEXT_ENTRY,
            stem=f"<p>Turning plaintext into ciphertext is called {GAP}.</p>",
            key=("encryption",),
        ),
        "D2",
    ),
    "numeric": (
        ItemContent(
            interaction=InteractionType.NUMERIC_ENTRY,
            stem=f"<p>How many bits does an AES-256 key have? {GAP}</p>",
            key=("256",),
        ),
        "D2",
    ),
    "order": (
        ItemContent(
            interaction=InteractionType.ORDER,
            stem="<p>Put the phases of incident response in order.</p>",
            options=(Option("P1", "Detect"), Option("P2", "Contain"), Option("P3", "Recover")),
            key=("P1", "P2", "P3"),
        ),
        "D1",
    ),
    "match": (
        ItemContent(
            interaction=InteractionType.MATCH,
            stem="<p>Match each service model with who patches the operating system.</p>",
            options=(
                Option("L1", "IaaS"),
                Option("L2", "SaaS"),
                Option("R1", "The provider", match_set=1),
                Option("R2", "The customer", match_set=1),
            ),
            key=("L1 R2", "L2 R1"),
            shuffle=True,
        ),
        "D2",
    ),
    "inline": (
        ItemContent(
            interaction=InteractionType.INLINE_CHOICE,
            stem=f"<p>Keys that rotate every hour are {GAP} credentials.</p>",
            options=(Option("O1", "short-lived"), Option("O2", "static")),
            key=("O1",),
        ),
        "D1",
    ),
    "essay": (
        ItemContent(
            interaction=InteractionType.EXTENDED_RESPONSE,
            stem="<p>Explain how you would contain a leaked access key.</p>",
            rubric="2 points: revoke; 2 points: investigate use; 1 point: rotate dependants.",
            scoring=Scoring(method=ScoringMethod.RUBRIC, points=5.0),
        ),
        "D2",
    ),
}
OBJECTIVE = [name for name in ITEMS if name != "essay"]


@dataclasses.dataclass
class OnlineExam:
    version: SchemeVersion
    component: AssessmentComponent
    bank: ItemBank
    form: ExamForm
    entries: dict[str, ExamFormEntry]
    officer: User
    invigilator: User
    examiner: User
    second_examiner: User
    psychometrician: User


def make_exam_form(
    version: SchemeVersion,
    component: AssessmentComponent,
    *,
    names: list[str],
    pass_mark: Decimal | None = None,
) -> tuple[ItemBank, ExamForm, dict[str, ExamFormEntry]]:
    """An approved form with one item per name of `ITEMS`, in that order."""
    n = next(_counter)
    bank = ItemBank.objects.create(scheme=version.scheme, slug=f"delivery-{n}", name=f"Items {n}")
    author = make_staff(RoleCode.ITEM_AUTHOR)
    domains = {
        code: make_domain(version, code=code, title=title, weight=Decimal(50))
        for code, title in (("D1", "Identity and access"), ("D2", "Data protection"))
    }
    entries: dict[str, ExamFormEntry] = {}
    items: list[Item] = []
    for name in names:
        content, domain = ITEMS[name]
        items.append(
            create_item(
                actor=author, bank=bank, identifier=f"I{n}-{name}", title=name, content=content,
                competence_domain=domains[domain],
            )
        )  # fmt: skip
    total = sum(
        (item.current_version.max_score for item in items if item.current_version), Decimal(0)
    )
    blueprint = Blueprint.objects.create(
        bank=bank, component=component, name="Online exam", total_items=len(items),
        time_limit_minutes=60, pass_mark=None, pass_rule=PassRule.STANDARD_SETTING,
        status=BlueprintStatus.APPROVED,
    )  # fmt: skip
    form = ExamForm.objects.create(
        blueprint=blueprint, code=f"F-{n}", status=FormStatus.APPROVED, assembled_by=author,
        approved_by=author, approved_at=timezone.now(),
    )  # fmt: skip
    for position, (name, item) in enumerate(zip(names, items, strict=True), start=1):
        version_row = item.current_version
        assert version_row is not None
        entries[name] = ExamFormEntry.objects.create(
            form=form, position=position, item_version=version_row, points=version_row.max_score
        )
    # R18: an approved standard-setting study is the form's pass rule, and the form is released.
    cut = pass_mark if pass_mark is not None else (total * Decimal("0.6")).quantize(Decimal("0.01"))
    study = StandardSettingStudy.objects.create(
        form=form, facilitator=author, status=StudyStatus.APPROVED,
        candidate_description="Rotates keys and scopes roles without help.",
        cut_score=cut, pass_mark=cut, decided_by=author, decided_at=timezone.now(),
    )  # fmt: skip
    FormRelease.objects.create(
        form=form, study=study, released_by=author, released_at=timezone.now()
    )
    return bank, form, entries


def make_online_exam(
    *, names: list[str] | None = None, pass_mark: Decimal | None = None
) -> OnlineExam:
    clear_cache()
    version = make_published_version(components=1)
    component = make_component(
        version, code="EX", name="Online examination", kind=AssessmentComponentKind.EXAM,
        max_score=Decimal(100), pass_mark=Decimal(60), position=5,
    )  # fmt: skip
    bank, form, entries = make_exam_form(
        version, component, names=names if names is not None else list(ITEMS), pass_mark=pass_mark
    )
    return OnlineExam(
        version=version, component=component, bank=bank, form=form, entries=entries,
        officer=make_staff(RoleCode.CERTIFICATION_OFFICER),
        invigilator=make_staff(RoleCode.INVIGILATOR),
        examiner=make_staff(RoleCode.EXAMINER),
        second_examiner=make_staff(RoleCode.EXAMINER),
        psychometrician=make_staff(RoleCode.PSYCHOMETRICIAN),
    )  # fmt: skip


def make_session(
    exam: OnlineExam, *, starts_at: dt.datetime | None = None, **fields: Any
) -> ExamSession:
    """A session starting now (check-in open), its invigilator and examiner assigned."""
    starts = starts_at or timezone.now()
    values: dict[str, Any] = {
        "location": "Online, invigilated by video", "capacity": 20, "duration_minutes": 60,
        "booking_closes_at": starts - dt.timedelta(minutes=5),
    }  # fmt: skip
    values.update(fields)
    session = sessions.schedule_session(
        actor=exam.officer, component=exam.component, form=exam.form, starts_at=starts, **values
    )
    assign_personnel(
        actor=exam.officer, event=session.event, user=exam.invigilator, role="invigilator"
    )
    assign_personnel(actor=exam.officer, event=session.event, user=exam.examiner, role="examiner")
    return ExamSession.objects.get(pk=session.pk)


def make_sitter(exam: OnlineExam, *, extra_time: int | None = None, **accommodations: bool) -> User:
    """A candidate with an eligible application under the exam's version (and approved
    accommodations: `extra_time` percent, `rest_breaks`, `large_print`, `separate_room`)."""
    n = next(_counter)
    user = make_candidate(
        email=f"sitter{n}@peritus.example", given_names="Sam", family_name=f"Sitter{n}"
    )
    person = Person.objects.get(user=user)
    application = make_eligible_application(scheme_version=exam.version, person=person)
    approved = AccommodationStatus.APPROVED
    if extra_time:
        make_accommodation(application, status=approved, extra_time_percent=extra_time)
    for flag, kind in (("rest_breaks", AccommodationKind.REST_BREAKS),
                       ("large_print", AccommodationKind.LARGE_PRINT),
                       ("separate_room", AccommodationKind.SEPARATE_ROOM)):  # fmt: skip
        if accommodations.get(flag):
            make_accommodation(application, kind=kind, extra_time_percent=None, status=approved)
    return user


def application_of(user: User, exam: OnlineExam) -> Application:
    return Application.objects.get(person__user=user, scheme_version=exam.version)


def book(exam: OnlineExam, session: ExamSession, user: User) -> Attempt:
    return sessions.book_seat(
        actor=exam.officer, session=session, application=application_of(user, exam)
    )


def declare_invigilator(exam: OnlineExam, session: ExamSession, user: User | None = None) -> None:
    """The invigilator declares no conflict for every candidate not declared for yet."""
    from peritus.exams.services import list_undeclared_entries

    actor = user or exam.invigilator
    undeclared = list_undeclared_entries(session.event, actor)
    if undeclared:
        declare_event_interests(
            actor=actor, event=session.event,
            declarations=[CandidateDeclaration(entry=entry, has_conflict=False) for entry in undeclared],
        )  # fmt: skip


def admit(exam: OnlineExam, attempt: Attempt, user: User) -> Attempt:
    """Check in, identity checked and start released, started: the attempt is in progress."""
    gate.check_in(actor=user, attempt=attempt, accept_rules=True, accept_nda=True)
    gate.record_identity_check(
        actor=exam.invigilator, attempt=attempt, document="passport", release=True
    )
    return gate.start_attempt(actor=user, attempt=attempt)


def seated(
    exam: OnlineExam, session: ExamSession, count: int, **accommodations: Any
) -> list[tuple[User, Attempt]]:
    """`count` candidates booked, the invigilator declared, everyone started."""
    users = [make_sitter(exam, **accommodations) for _ in range(count)]
    attempts = [book(exam, session, user) for user in users]
    declare_invigilator(exam, session)
    return [
        (user, admit(exam, attempt, user)) for user, attempt in zip(users, attempts, strict=True)
    ]


def position_of(attempt: Attempt, entry: ExamFormEntry) -> int:
    order: list[int] = Attempt.objects.get(pk=attempt.pk).item_order
    return order.index(entry.pk) + 1


def answer(
    attempt: Attempt, user: User, entry: ExamFormEntry, fields: dict[str, list[str]], *,
    key: str | None = None, flagged: bool = False,
) -> SaveReceipt:  # fmt: skip
    return autosave.save_answer(
        actor=user, reference=attempt.reference, position=position_of(attempt, entry),
        fields=fields, idempotency_key=key or f"key-{next(_counter):08d}", flagged=flagged,
    )  # fmt: skip


# The right answer to each item, as form fields.
RIGHT: dict[str, dict[str, list[str]]] = {
    "single": {"response": ["B"]},
    "multiple": {"response": ["A", "C"]},
    "true_false": {"response": ["true"]},
    "text": {"response": ["Encryption"]},
    "numeric": {"response": ["256.0"]},
    "order": {"order-P1": ["1"], "order-P2": ["2"], "order-P3": ["3"]},
    "match": {"match-L1": ["R2"], "match-L2": ["R1"]},
    "inline": {"response": ["O1"]},
    "essay": {"response": ["Revoke the key at once, then read the access logs."]},
}
WRONG: dict[str, dict[str, list[str]]] = {
    "single": {"response": ["A"]},
    "multiple": {"response": ["A", "B"]},
    "true_false": {"response": ["false"]},
    "text": {"response": ["hashing"]},
    "numeric": {"response": ["128"]},
    "order": {"order-P1": ["2"], "order-P2": ["1"], "order-P3": ["3"]},
    "match": {"match-L1": ["R1"], "match-L2": ["R2"]},
    "inline": {"response": ["O2"]},
    "essay": {"response": ["I do not know."]},
}

"""Factories for exam statistics and standard setting: frozen forms, simulated responses, studies.

Everything is built with the services, so it obeys the rules. Responses are simulated from a
two-parameter logistic model (the engine's `logistic`), seeded, with wrong answers spread over
the distractors.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
from django.utils import timezone

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.itembank.models import ExamForm, Item, ItemBank
from peritus.itembank.qti.content import InteractionType, ItemContent, Option, Scoring
from peritus.itembank.services import (
    RowInput,
    approve_blueprint,
    assemble_forms,
    create_blueprint,
    review_form,
    submit_form,
)
from peritus.itembank.statistics.models import FormAdministration, StandardSettingStudy
from peritus.itembank.statistics.responses import FormItem
from peritus.itembank.statistics.selectors import form_items_of
from peritus.itembank.statistics.services import (
    CandidateAnswers,
    approve_cut_score,
    close_rating_round,
    compute_cut_score,
    declare_judge_interests,
    open_rating_round,
    open_standard_setting_study,
    record_form_responses,
    save_angoff_ratings,
)
from peritus.itembank.tests.factories import make_bank, make_operational_item
from peritus.psychometrics.irt import logistic
from peritus.schemes.models import AssessmentComponentKind, Scheme
from peritus.schemes.tests.factories import make_component, make_domain, make_scheme, make_version

_counter = iter(range(1, 10**9))


@dataclasses.dataclass
class FormSetup:
    scheme: Scheme
    bank: ItemBank
    form: ExamForm
    psychometrician: User
    author: User
    reviewer: User
    items: list[Item]


def four_options(key: str = "B") -> ItemContent:
    return ItemContent(
        interaction=InteractionType.SINGLE_CHOICE,
        stem="<p>Which measure limits the blast radius of a leaked access key?</p>",
        options=(
            Option("A", "Longer passwords"),
            Option("B", "Short-lived credentials"),
            Option("C", "A bigger firewall"),
            Option("D", "Daily backups"),
        ),
        key=(key,),
        scoring=Scoring(),
    )


def make_approved_form(
    *,
    n_items: int = 6,
    scheme: Scheme | None = None,
    code: str | None = None,
    pass_mark: Decimal | None = None,
    psychometrician: User | None = None,
) -> FormSetup:
    """A frozen form of `n_items` four-option items, assembled and approved with the services."""
    n = next(_counter)
    scheme = scheme or make_scheme(code=f"S{n}", slug=f"scheme-{n}", name=f"Cloud scheme {n}")
    bank = make_bank(scheme, slug=f"stats-bank-{n}", name=f"Cloud items {n}")
    psychometrician = psychometrician or make_staff(RoleCode.PSYCHOMETRICIAN, scheme=scheme)
    author = make_staff(RoleCode.ITEM_AUTHOR, scheme=scheme)
    reviewer = make_staff(RoleCode.ITEM_REVIEWER, scheme=scheme)
    version = make_version(scheme=scheme)
    domain = make_domain(version, code="D1", title="Identity and access")
    component = make_component(version, kind=AssessmentComponentKind.EXAM, name="Online exam")
    items = [
        make_operational_item(
            bank, author=author, reviewer=reviewer, psychometrician=psychometrician,
            domain=domain, identifier=f"IAM-{n}-{k:02d}", content=four_options("ABCD"[k % 4]),
        )
        for k in range(n_items)
    ]  # fmt: skip
    blueprint = create_blueprint(
        actor=psychometrician, bank=bank, component=component, name="Online exam blueprint",
        total_items=n_items, time_limit_minutes=60,
        pass_mark=pass_mark if pass_mark is not None else Decimal(n_items * 6 // 10),
        rows=[RowInput(domain, n_items)],
    )  # fmt: skip
    approve_blueprint(actor=psychometrician, blueprint=blueprint)
    [form] = assemble_forms(
        actor=psychometrician, blueprint=blueprint, code_prefix=code or f"CSP-{n}", seconds=5
    )
    submit_form(actor=psychometrician, form=form)
    review_form(actor=reviewer, form=form, approve=True, comment="Blueprint met.")
    return FormSetup(
        scheme=scheme,
        bank=bank,
        form=ExamForm.objects.get(pk=form.pk),
        psychometrician=psychometrician,
        author=author,
        reviewer=reviewer,
        items=items,
    )


def simulate_answers(
    form: ExamForm, *, candidates: int, seed: int = 7, prefix: str = "C", group: str = ""
) -> list[CandidateAnswers]:
    """Answers of `candidates` simulated from a 2PL model (options by identifier)."""
    items = form_items_of(form)
    rng = np.random.default_rng(seed)
    a = rng.lognormal(0.0, 0.25, len(items))
    b = rng.normal(-0.4, 0.8, len(items))
    theta = rng.normal(0.0, 1.0, candidates)
    correct = rng.random((candidates, len(items))) < logistic(a * (theta[:, None] - b))
    answers = []
    for i in range(candidates):
        chosen: dict[int, Any] = {}
        for j, item in enumerate(items):
            keyed = sorted(item.key.correct)[0]
            options = list(item.letters)
            letter = keyed if correct[i, j] else rng.choice([o for o in options if o != keyed])
            if rng.random() < 0.02:
                continue  # omitted
            chosen[item.version_id] = [item.option_ids[options.index(str(letter))]]
        answers.append(CandidateAnswers(f"{prefix}{i + 1:04d}", chosen, group=group))
    return answers


def record_simulated(
    setup: FormSetup,
    *,
    candidates: int = 60,
    seed: int = 7,
    administered_on: dt.date | None = None,
    prefix: str = "C",
) -> FormAdministration:
    return record_form_responses(
        form=setup.form,
        administered_on=administered_on or timezone.localdate(),
        source="online",
        responses=simulate_answers(setup.form, candidates=candidates, seed=seed, prefix=prefix),
        actor=None,
        reference=f"EV-{seed}",
    )


def sheet_csv(items: Sequence[FormItem], rows: Sequence[Sequence[str]]) -> bytes:
    header = ",".join(["candidate_id", *(item.identifier for item in items)])
    return ("\n".join([header, *(",".join(row) for row in rows)]) + "\n").encode("utf-8")


def answers_as_sheets(form: ExamForm, answers: Sequence[CandidateAnswers]) -> bytes:
    """The answers as a paper answer-sheet file (option letters as on the booklet)."""
    items = form_items_of(form)
    rows = []
    for candidate in answers:
        cells = [candidate.candidate_code]
        for item in items:
            chosen = candidate.answers.get(item.version_id)
            assert chosen is None or isinstance(chosen, list)
            cells.append("" if not chosen else item.letters[item.option_ids.index(chosen[0])])
        rows.append(cells)
    return sheet_csv(items, rows)


def make_judges(scheme: Scheme, count: int = 3) -> list[User]:
    roles = (RoleCode.EXAMINER, RoleCode.ITEM_REVIEWER, RoleCode.SCHEME_COMMITTEE)
    return [make_staff(roles[k % len(roles)], scheme=scheme) for k in range(count)]


def rate_all(
    study: StandardSettingStudy, judge: User, value: int | Sequence[int], *, submit: bool = True
) -> None:
    items = form_items_of(study.form)
    values = [value] * len(items) if isinstance(value, int) else list(value)
    save_angoff_ratings(
        actor=judge,
        study=study,
        ratings={item.version_id: v for item, v in zip(items, values, strict=True)},
        submit=submit,
    )


def run_study_to_proposal(
    setup: FormSetup, judges: Sequence[User], ratings: Sequence[int] = (60, 70, 80)
) -> StandardSettingStudy:
    """One round rated and closed, cut computed: a study awaiting approval."""
    study = open_standard_setting_study(
        actor=setup.psychometrician, form=setup.form, judges=judges,
        candidate_description="Can rotate keys and scope roles without help.", max_rounds=2,
    )  # fmt: skip
    for judge in judges:
        declare_judge_interests(actor=judge, study=study, conflict=False)
    open_rating_round(actor=setup.psychometrician, study=study)
    for judge, rating in zip(judges, ratings, strict=False):
        rate_all(study, judge, rating)
    close_rating_round(actor=setup.psychometrician, study=study)
    return compute_cut_score(actor=setup.psychometrician, study=study)


def approved_study(setup: FormSetup, approver: User | None = None) -> StandardSettingStudy:
    judges = make_judges(setup.scheme)
    study = run_study_to_proposal(setup, judges)
    approver = approver or make_staff(RoleCode.SCHEME_MANAGER, scheme=setup.scheme)
    return approve_cut_score(actor=approver, study=study, comment="Agreed.")

"""Demo exam statistics and standard setting, built with the services (so they obey every rule).

For each approved demo form (`ctx.extra["exam_forms"]`) it records a year of administrations
simulated from a two-parameter logistic model (the engine's `logistic`; seeded), one of them as
paper answer sheets imported from CSV. The cloud security form has a review that the job opened
on schedule and the psychometrician closed with a conclusion (one item's key is wrong in the
simulation, and the statistics show it), an approved modified-Angoff study whose pass mark is
its pass rule, and it is released for use. The welding form's review is overdue and its Angoff
study is in round 2, rated by the demo examiner, second examiner and item reviewer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
from django.utils import timezone

from peritus.core.demo import DemoContext
from peritus.itembank.models import ExamForm, FormStatus
from peritus.itembank.statistics.models import (
    FindingAction,
    ReviewConclusion,
    StandardSettingStudy,
    StatisticsReview,
    StatisticsReviewPolicy,
)
from peritus.itembank.statistics.responses import FormItem
from peritus.itembank.statistics.selectors import form_items_of, get_open_review, is_released
from peritus.itembank.statistics.services import (
    CandidateAnswers,
    CompromiseJudgements,
    FindingInput,
    approve_cut_score,
    close_rating_round,
    close_statistics_review,
    compute_cut_score,
    declare_judge_interests,
    import_answer_sheets,
    open_rating_round,
    open_scheduled_review,
    open_standard_setting_study,
    record_form_responses,
    release_form_for_use,
    save_angoff_ratings,
    set_review_policy,
)
from peritus.psychometrics.irt import logistic
from peritus.psychometrics.scoring import ItemKind

# (days ago, source, candidates, mean ability of the cohort, reference)
Plan = tuple[tuple[int, str, int, float, str], ...]
PLANS: dict[str, Plan] = {
    "cloud": (
        (430, "online", 260, 0.0, "Online session, spring cohort"),
        (300, "paper", 120, -0.15, "Paper sitting, Hall B"),
        (170, "online", 240, 0.1, "Online session, autumn cohort"),
        (40, "online", 210, 0.05, "Online session, current cohort"),
    ),
    "weld": (
        (420, "online", 90, 0.0, "Written paper, Rotterdam"),
        (250, "online", 80, 0.1, "Written paper, Lyon"),
        (100, "online", 60, -0.1, "Written paper, Gdańsk"),
    ),
    "interpret": ((60, "online", 70, 0.0, "Written paper, Madrid"),),
}
JUDGES = ("examiner", "second examiner", "item reviewer")
MCC_THETA = -0.35  # where the demo places the minimally competent candidate


@dataclasses.dataclass(frozen=True)
class TrueItem:
    item: FormItem
    a: float
    b: float
    miskeyed: bool  # the real best answer is another option


def _true_items(
    items: Sequence[FormItem], rng: np.random.Generator, miskey: bool
) -> list[TrueItem]:
    a = np.clip(rng.lognormal(0.0, 0.3, len(items)), 0.4, 2.5)
    b = rng.normal(-0.7, 0.9, len(items))
    single = [
        n for n, item in enumerate(items) if item.kind is ItemKind.SINGLE and len(item.letters) > 2
    ]
    wrong = single[len(single) // 2] if miskey and single else -1
    return [TrueItem(item, float(a[n]), float(b[n]), n == wrong) for n, item in enumerate(items)]


def _answer(true: TrueItem, theta: float, rng: np.random.Generator) -> str | int | None:
    """Option letters (or a score) a candidate of ability `theta` gives."""
    item = true.item
    p = float(logistic(np.array([true.a * (theta - true.b)]))[0])
    right = bool(rng.random() < p)
    if item.kind is ItemKind.SCORED:
        return int(rng.binomial(item.key.max_score, p))
    keyed = "".join(sorted(item.key.correct))
    others = [letter for letter in item.letters if letter not in item.key.correct]
    if true.miskeyed:  # strong candidates pick the option that is really right
        really = others[0]
        return really if right else str(rng.choice([keyed, *others[1:]]))
    if right:
        return keyed
    weights = np.array([3.0] + [1.0] * (len(others) - 1))[: len(others)]
    return str(rng.choice(others, p=weights / weights.sum()))


def _cohort(
    truth: Sequence[TrueItem], size: int, shift: float, rng: np.random.Generator
) -> list[dict[int, str | int]]:
    cohort = []
    for theta in rng.normal(shift, 1.0, size):
        stop = len(truth) - int(rng.integers(1, 4)) if rng.random() < 0.03 else len(truth)
        answers: dict[int, str | int] = {}
        for true in truth[:stop]:
            if rng.random() < 0.01:
                continue  # omitted
            value = _answer(true, float(theta), rng)
            if value is not None:
                answers[true.item.version_id] = value
        cohort.append(answers)
    return cohort


def _as_delivery(item: FormItem, value: str | int) -> Any:
    if isinstance(value, int):
        return value
    return [item.option_ids[item.letters.index(letter)] for letter in value]


def _record(
    ctx: DemoContext, form: ExamForm, word: str, truth: list[TrueItem], rng: np.random.Generator
) -> None:
    today = timezone.localdate()
    items = {true.item.version_id: true.item for true in truth}
    psychometrician = ctx.users["psychometrician"]
    applications = list(
        form.blueprint.bank.scheme.applications.filter(status="eligible").order_by("pk")[:80]
    )
    for number, (days_ago, source, size, shift, reference) in enumerate(PLANS[word]):
        cohort = _cohort(truth, size, shift, rng)
        on = today - dt.timedelta(days=days_ago)
        if source == "paper":
            order = sorted(items.values(), key=lambda i: i.position)
            lines = ["candidate_id," + ",".join(item.identifier for item in order)]
            for n, answers in enumerate(cohort, start=1):
                cells = [str(answers.get(item.version_id, "")) for item in order]
                lines.append(f"B-{number}{n:03d}," + ",".join(cells))
            import_answer_sheets(
                form=form, administered_on=on, data=("\n".join(lines) + "\n").encode("utf-8"),
                actor=psychometrician, reference=reference,
            )  # fmt: skip
            continue
        latest = number == len(PLANS[word]) - 1
        candidates = []
        for n, answers in enumerate(cohort):
            application = applications[n] if latest and n < len(applications) else None
            code = (
                application.reference if application is not None else f"{form.code}-{number}{n:03d}"
            )
            candidates.append(
                CandidateAnswers(
                    code,
                    {vid: _as_delivery(items[vid], value) for vid, value in answers.items()},
                    application=application,
                )
            )
        record_form_responses(
            form=form, administered_on=on, source=source, responses=candidates, actor=None,
            reference=reference,
        )  # fmt: skip
    ctx.log(f"  {form.code}: {len(PLANS[word])} administrations of simulated responses")


def _ratings(
    truth: Sequence[TrueItem], rng: np.random.Generator, bias: float, spread: float
) -> dict[int, Decimal]:
    """A judge's percent ratings: the borderline candidate's chance on each item, as the judge
    sees it (biased and noisy)."""
    out = {}
    for true in truth:
        p = float(logistic(np.array([true.a * (MCC_THETA - true.b)]))[0])
        value = float(np.clip(100 * p + bias + rng.normal(0, spread), 5, 98))
        out[true.item.version_id] = Decimal(int(round(value / 5) * 5))
    return out


def _panel(ctx: DemoContext) -> list[Any] | None:
    if not all(label in ctx.users for label in (*JUDGES, "psychometrician")):
        return None
    return [ctx.users[label] for label in JUDGES]


def _study(
    ctx: DemoContext,
    form: ExamForm,
    truth: list[TrueItem],
    rng: np.random.Generator,
    *,
    finish: bool,
) -> StandardSettingStudy | None:
    judges = _panel(ctx)
    if judges is None or form.standard_setting_studies.exists():
        return None
    psychometrician = ctx.users["psychometrician"]
    study = open_standard_setting_study(
        actor=psychometrician, form=form, judges=judges, max_rounds=2,
        candidate_description=(
            "Holds the entry-level role on their own: knows the standard procedures and the "
            "reasons for them, applies them to routine cases without help, recognises when a case "
            "is not routine and asks. Does not yet judge unusual cases or design procedures."
        ),
    )  # fmt: skip
    for judge in judges:
        declare_judge_interests(actor=judge, study=study, conflict=False)
    open_rating_round(actor=psychometrician, study=study)
    biases = (-6.0, 4.0, 9.0)
    first: dict[int, dict[int, Decimal]] = {}
    for judge, bias in zip(judges, biases, strict=True):
        first[judge.pk] = _ratings(truth, rng, bias, 10.0)
        save_angoff_ratings(actor=judge, study=study, ratings=first[judge.pk], submit=True)
    close_rating_round(actor=psychometrician, study=study)
    open_rating_round(
        actor=psychometrician, study=study,
        discussion_notes=(
            "The panel looked at the items with the widest spread first, then at the p-values of "
            "the recorded administrations. Two judges agreed they had rated the data-protection "
            "items as experts, not as borderline candidates."
        ),
    )  # fmt: skip
    for index, (judge, bias) in enumerate(zip(judges, biases, strict=True)):
        if not finish and index == len(judges) - 1:
            break  # the demo item reviewer still has round 2 to rate
        second = _ratings(truth, rng, bias / 2, 5.0)
        ratings = {vid: Decimal(int(round((first[judge.pk][vid] + second[vid]) / 10) * 5))
                   for vid in second}  # fmt: skip
        compromise = CompromiseJudgements(
            hofstee_min_cut=Decimal(55 + index * 2), hofstee_max_cut=Decimal(75 + index),
            hofstee_min_fail=Decimal(10), hofstee_max_fail=Decimal(35 + index * 3),
            beuk_cut=Decimal(64 + index * 2), beuk_pass_rate=Decimal(72 - index * 2),
        )  # fmt: skip
        save_angoff_ratings(actor=judge, study=study, ratings=ratings, compromise=compromise,
                            submit=True)  # fmt: skip
    if not finish:
        ctx.log(f"  {form.code}: Angoff study in round 2")
        return study
    close_rating_round(actor=psychometrician, study=study)
    study = compute_cut_score(actor=psychometrician, study=study)
    approver = ctx.users.get("scheme committee member") or ctx.users.get("scheme manager")
    if approver is None:
        return study
    study = approve_cut_score(
        actor=approver, study=study,
        comment="Panel of three with two rounds; the cut agrees with the Hofstee and Beuk checks.",
    )  # fmt: skip
    release_form_for_use(actor=psychometrician, form=form)
    ctx.log(f"  {form.code}: Angoff cut approved (pass mark {study.pass_mark}); form released")
    return study


def _completed_review(ctx: DemoContext, form: ExamForm, truth: list[TrueItem]) -> None:
    now = timezone.now()
    review = open_scheduled_review(form=form, now=now - dt.timedelta(days=20))
    if review is None or review.analysis is None:
        return
    flagged = {
        item["item_id"]: [flag["code"] for flag in item["flags"]]
        for item in review.analysis.report["items"]
        if item["flags"]
    }
    miskeyed = [t.item.identifier for t in truth if t.miskeyed and t.item.identifier in flagged]
    revise = [identifier for identifier in flagged if identifier not in miskeyed][:2]
    findings = [
        FindingInput(i, FindingAction.KEY_CHANGE, "The statistics point to another option")
        for i in miskeyed
    ]
    findings += [FindingInput(i, FindingAction.REVISE, ", ".join(flagged[i])) for i in revise]
    conclusion = (
        ReviewConclusion.KEY_CHANGES if miskeyed
        else ReviewConclusion.ITEMS_TO_REVISE if revise else ReviewConclusion.ACCEPTED
    )  # fmt: skip
    analysis = review.analysis
    close_statistics_review(
        actor=ctx.users["psychometrician"], review=review, conclusion=conclusion,
        summary=(
            f"{analysis.candidate_count} candidates over the year, alpha "
            f"{analysis.alpha or 0:.2f}, SEM {analysis.sem or 0:.2f}; decision consistency at the "
            f"pass mark {analysis.decision_consistency or 0:.2f}. "
            + ("One item's key is contradicted by the strongest candidates; it is re-keyed and "
               "the affected sittings rescored. " if miskeyed else "")
            + ("Flagged items go back to their authors. " if revise else "")
            + "No DIF of category C between paper and online sittings."
        ),
        findings=findings, corrective_action_required=bool(miskeyed),
        corrective_action=(
            "A wrong key reached live sittings: rescore the affected candidates and add a key "
            "check on the pilot statistics to the form release procedure." if miskeyed else ""
        ),
    )  # fmt: skip
    ctx.log(f"  {form.code}: statistics review closed ({conclusion})")


def load(ctx: DemoContext) -> None:
    """Called at the end of the item bank's demo (`itembank.demo.load`)."""
    rng = np.random.default_rng(int(ctx.rng.random() * 2**31))
    if "psychometrician" not in ctx.users:
        ctx.log("  no psychometrician; no exam statistics")
        return
    psychometrician = ctx.users["psychometrician"]
    for slug, forms in sorted(ctx.extra.get("exam_forms", {}).items()):
        word = next((w for w in PLANS if w in slug), None)
        if word is None or not forms:
            continue
        form = ExamForm.objects.select_related("blueprint__bank").get(pk=forms[0].pk)
        if form.status != FormStatus.APPROVED:
            continue
        truth = _true_items(form_items_of(form), rng, miskey=word == "cloud")
        if not form.administrations.exists():
            _record(ctx, form, word, truth, rng)
        bank = form.blueprint.bank
        if word == "cloud" and not StatisticsReviewPolicy.objects.filter(bank=bank).exists():
            set_review_policy(actor=psychometrician, bank=bank, interval_months=12,
                              completion_days=30, dif_grouping="source")  # fmt: skip
        if StatisticsReview.objects.filter(form=form).exists():
            continue
        if word == "cloud":
            _study(ctx, form, truth, rng, finish=True)
            _completed_review(ctx, form, truth)
        elif word == "weld":
            _study(ctx, form, truth, rng, finish=False)
            open_scheduled_review(form=form, now=timezone.now() - dt.timedelta(days=45))
            review = get_open_review(form)
            if review is not None:
                ctx.log(f"  {form.code}: statistics review overdue since {review.due_on}")
    released = [f for forms in ctx.extra.get("exam_forms", {}).values() for f in forms
                if is_released(f)]  # fmt: skip
    ctx.extra["released_forms"] = released

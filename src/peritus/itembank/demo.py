"""Demo item banks, built with the item bank's own services (so they obey every rule).

The cloud security scheme gets a bank of a few hundred invented items across its competence
domains, in every workflow state, written by the demo item author and reviewed by the demo item
reviewer; statistics for the items in service; a blueprint of its online exam; two parallel
forms, one approved (frozen) and one in review. The other schemes get smaller banks.
What exam delivery needs is left in `ctx.extra["exam_forms"]` ({scheme slug: [approved forms]}).
"""

from __future__ import annotations

import dataclasses
import random
from collections import Counter
from decimal import Decimal
from typing import Any

from django.db.models import Q

from peritus.core.demo import DemoContext
from peritus.itembank.demo_items import (
    CLOUD_NUMERIC,
    CLOUD_SEQUENCES,
    CLOUD_TOPICS,
    CLOUD_TRUE_FALSE,
    INTERPRETING_TOPICS,
    WELDING_TOPICS,
)
from peritus.itembank.models import (
    ASSEMBLABLE_STATUSES,
    ExamForm,
    FormStatus,
    Item,
    ItemBank,
    ItemStatus,
    ReviewDecision,
)
from peritus.itembank.qti.content import (
    GAP,
    InteractionType,
    ItemContent,
    Option,
    Scoring,
    ScoringMethod,
)
from peritus.itembank.qti.markup import text_to_flow, text_to_inline
from peritus.itembank.services import (
    RowInput,
    approve_blueprint,
    assemble_forms,
    create_bank,
    create_blueprint,
    create_item,
    create_stimulus,
    make_item_operational,
    pilot_item,
    record_item_statistics,
    retire_item,
    review_item,
    set_enemies,
    submit_item,
)
from peritus.schemes.models import (
    AssessmentComponent,
    AssessmentComponentKind,
    CompetenceDomain,
    Scheme,
    SchemeVersion,
)
from peritus.schemes.selectors import get_current_version


@dataclasses.dataclass
class Draft:
    identifier: str
    title: str
    content: ItemContent
    topic: int
    level: str
    tags: tuple[str, ...]
    pair: str = ""  # identifier of an item that cues this one (they become enemies)
    stimulus: str = ""


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _choice(stem: str, options: list[tuple[str, str]], key: str) -> ItemContent:
    return ItemContent(
        interaction=InteractionType.SINGLE_CHOICE,
        stem=text_to_flow(stem),
        options=tuple(
            Option(chr(65 + n), text_to_inline(text), rationale=why)
            for n, (text, why) in enumerate(options)
        ),
        key=(chr(65 + [t for t, _ in options].index(key)),),
        scoring=Scoring(),
        shuffle=True,
    )


def drafts_from_topics(
    prefix: str, topics: list[tuple[str, list[tuple[str, str]]]], rng: random.Random
) -> list[Draft]:
    """Items of every interaction type written from (term, definition) facts."""
    drafts: list[Draft] = []
    all_terms = [(t, term) for t, (_, facts) in enumerate(topics) for term, _ in facts]
    for t, (topic, facts) in enumerate(topics):
        tag = topic.split()[0].lower()
        for n, (term, definition) in enumerate(facts):
            others = [f for f in facts if f[0] != term]
            distractors = rng.sample(others, k=min(3, len(others)))
            options = [(term, f"Correct: {term} is when {definition}.")] + [
                (d_term, f"{d_term} is when {d_def}.") for d_term, d_def in distractors
            ]
            rng.shuffle(options)
            a = f"{prefix}-{t + 1}{n + 1:02d}A"
            drafts.append(Draft(a, f"{term}: recognise the term", _choice(f"{_cap(definition)}. Which term describes this?", options, term,
            ), t, "remember", (tag, "terminology")))  # fmt: skip
            definitions = [(_cap(definition), "Correct.")] + [
                (_cap(d_def), f"This describes {d_term}.") for d_term, d_def in distractors
            ]
            rng.shuffle(definitions)
            b = f"{prefix}-{t + 1}{n + 1:02d}B"
            drafts.append(Draft(b, f"{term}: meaning", _choice(f"What does “{term}” mean?", definitions, _cap(definition),
            ), t, "understand", (tag,), pair=a))  # fmt: skip
            if n % 2 == 0:
                inline_options = [term] + [d for d, _ in distractors[:2]]
                rng.shuffle(inline_options)
                c = f"{prefix}-{t + 1}{n + 1:02d}C"
                drafts.append(Draft(c, f"{term}: complete the sentence", ItemContent(
                    interaction=InteractionType.INLINE_CHOICE,
                    stem=f"<p>When {definition.replace('&', 'and').replace('<', '')}, this is called {GAP}.</p>",
                    options=tuple(Option(f"O{k}", text_to_inline(o)) for k, o in enumerate(inline_options)),
                    key=(f"O{inline_options.index(term)}",),
                ), t, "remember", (tag,), pair=a))  # fmt: skip
            else:
                true = rng.random() < 0.5
                shown = definition if true else distractors[0][1]
                d = f"{prefix}-{t + 1}{n + 1:02d}D"
                drafts.append(Draft(d, f"{term}: true or false", ItemContent(
                    interaction=InteractionType.TRUE_FALSE,
                    stem=text_to_flow(f"True or false: {term} means that {shown}."),
                    options=(Option("true", "True"), Option("false", "False")),
                    key=("true" if true else "false",),
                ), t, "understand", (tag,), pair=b))  # fmt: skip
        for m in range(0, len(facts) - 3, 4):
            group = facts[m : m + 4]
            identifier = f"{prefix}-{t + 1}M{m // 4 + 1}"
            drafts.append(Draft(identifier, f"{topic}: match terms", ItemContent(
                interaction=InteractionType.MATCH,
                stem=text_to_flow("Match each term with what it describes."),
                options=tuple(Option(f"T{k}", text_to_inline(term), match_set=0) for k, (term, _) in enumerate(group))
                + tuple(Option(f"D{k}", text_to_inline(_cap(d)), match_set=1) for k, (_, d) in enumerate(group)),
                key=tuple(f"T{k} D{k}" for k in range(len(group))),
                scoring=Scoring(method=ScoringMethod.MAP_RESPONSE,
                                mapping=tuple((f"T{k} D{k}", 0.5) for k in range(len(group)))),
                shuffle=True,
            ), t, "understand", (tag, "matching")))  # fmt: skip
        for m in range(2):
            mine = rng.sample([term for term, _ in facts], k=2)
            foreign = (
                rng.sample([term for tt, term in all_terms if tt != t], k=2)
                if len(topics) > 1
                else []
            )
            if not foreign:
                continue
            choices = mine + foreign
            rng.shuffle(choices)
            identifier = f"{prefix}-{t + 1}R{m + 1}"
            drafts.append(Draft(identifier, f"{topic}: classify terms", ItemContent(
                interaction=InteractionType.MULTIPLE_RESPONSE,
                stem=text_to_flow(f"Which of these terms belong to {topic.lower()}? Choose every one that does."),
                options=tuple(Option(f"C{k}", text_to_inline(c)) for k, c in enumerate(choices)),
                key=tuple(f"C{k}" for k, c in enumerate(choices) if c in mine),
                scoring=Scoring(points=2.0),
            ), t, "analyse", (tag,)))  # fmt: skip
    return drafts


def cloud_drafts(rng: random.Random) -> list[Draft]:
    drafts = drafts_from_topics("CS", CLOUD_TOPICS, rng)
    for n, (question, steps) in enumerate(CLOUD_SEQUENCES):
        shuffled = list(enumerate(steps))
        rng.shuffle(shuffled)
        identifier = f"CS-ORD{n + 1}"
        drafts.append(Draft(identifier, question.rstrip("."), ItemContent(
            interaction=InteractionType.ORDER, stem=text_to_flow(question),
            options=tuple(Option(f"S{k}", text_to_inline(step)) for k, step in shuffled),
            key=tuple(f"S{k}" for k in range(len(steps))), shuffle=True,
        ), 4, "apply", ("procedure",)))  # fmt: skip
    for n, (question, answer) in enumerate(CLOUD_NUMERIC):
        identifier = f"CS-NUM{n + 1}"
        drafts.append(Draft(identifier, "Numeric: " + question[:60], ItemContent(
            interaction=InteractionType.NUMERIC_ENTRY, stem=text_to_flow(f"{question}\n\nAnswer: [[gap]]"),
            key=(answer,), expected_length=8,
        ), [1, 4, 4, 2][n], "apply", ("calculation",)))  # fmt: skip
    for n, (statement, true) in enumerate(CLOUD_TRUE_FALSE):
        identifier = f"CS-TF{n + 1}"
        drafts.append(Draft(identifier, "True or false: " + statement[:60], ItemContent(
            interaction=InteractionType.TRUE_FALSE, stem=text_to_flow(statement),
            options=(Option("true", "True"), Option("false", "False")), key=("true" if true else "false",),
        ), n % 6, "understand", ("principles",)))  # fmt: skip
    for n, (question, rubric) in enumerate([
        ("A developer pushed a long-lived access key to a public repository. Describe, in order, what you would do in the first hour and why.",
         "2 points: revokes the key first and explains why. 2 points: reviews the key's activity and scopes the damage. 1 point: prevents recurrence (short-lived credentials, secret scanning)."),
        ("Your company must keep customer data inside the EU while using a global SaaS provider. Explain which contract terms and technical controls you would require.",
         "2 points: data residency and processing agreement terms. 2 points: encryption with customer-held keys. 1 point: audit rights and breach notification."),
    ]):  # fmt: skip
        identifier = f"CS-EXT{n + 1}"
        drafts.append(Draft(identifier, "Extended response " + str(n + 1), ItemContent(
            interaction=InteractionType.EXTENDED_RESPONSE, stem=text_to_flow(question),
            prompt="Write your answer in full sentences.", rubric=text_to_flow(rubric),
            scoring=Scoring(method=ScoringMethod.RUBRIC, points=5.0), expected_length=2000,
        ), [4, 5][n], "evaluate", ("scenario",)))  # fmt: skip
    for n, (question, options, key) in enumerate([
        ("Which action limits the damage of the leak fastest?", ["Revoke the key", "Email the developer", "Rotate the database password", "Delete the repository history"], "Revoke the key"),
        ("Which log source shows what the key was used for?", ["The provider's API audit log", "The repository's commit log", "The web server's access log", "The developer's shell history"], "The provider's API audit log"),
        ("Which control would have prevented the leak?", ["Secret scanning before push", "A longer key", "A web application firewall", "Weekly backups"], "Secret scanning before push"),
    ]):  # fmt: skip
        identifier = f"CS-CASE{n + 1}"
        drafts.append(Draft(identifier, f"Leaked key case, question {n + 1}",
                            _choice(question, [(o, "") for o in options], key),
                            4, "apply", ("case",), stimulus="CASE-LEAKED-KEY"))  # fmt: skip
    return drafts


STATUS_PLAN = (
    [ItemStatus.OPERATIONAL] * 65 + [ItemStatus.PILOT] * 8 + [ItemStatus.APPROVED] * 8
    + [ItemStatus.IN_REVIEW] * 7 + [ItemStatus.DRAFT] * 7 + [ItemStatus.RETIRED] * 5
)  # fmt: skip


def _bring_to(item: Item, status: str, ctx: DemoContext) -> None:
    author, reviewer, psychometrician = (ctx.users["item author"], ctx.users["item reviewer"],
                                         ctx.users["psychometrician"])  # fmt: skip
    if status == ItemStatus.DRAFT:
        return
    submit_item(actor=author, item=item)
    if status == ItemStatus.IN_REVIEW:
        return
    review_item(
        actor=reviewer,
        item=item,
        decision=ReviewDecision.APPROVE,
        comment="Clear stem, one defensible key.",
    )
    if status == ItemStatus.APPROVED:
        return
    if status == ItemStatus.PILOT:
        pilot_item(actor=psychometrician, item=item)
        return
    make_item_operational(actor=psychometrician, item=item)
    if status == ItemStatus.RETIRED:
        retire_item(actor=psychometrician, item=item, reason="Over-exposed in the 2025 sittings")


def _domains(scheme: Scheme) -> tuple[SchemeVersion | None, list[CompetenceDomain]]:
    """The competence domains of the scheme's current version (else its latest with domains)."""
    current = get_current_version(scheme)
    versions = [current] if current is not None else []
    versions += list(SchemeVersion.objects.filter(scheme=scheme).order_by("-pk"))
    for version in versions:
        domains = list(
            CompetenceDomain.objects.filter(scheme_version=version).order_by("position", "code")
        )
        if domains:
            return version, domains
    return None, []


def _fill_bank(
    ctx: DemoContext, scheme: Scheme, slug: str, name: str, drafts: list[Draft]
) -> ItemBank | None:
    _, domains = _domains(scheme)
    if not domains:
        ctx.log(f"  {scheme.name}: no competence domains yet; no item bank")
        return None
    bank = ItemBank.objects.filter(slug=slug).first()
    if bank is not None:
        return bank
    author, psychometrician = ctx.users["item author"], ctx.users["psychometrician"]
    bank = create_bank(actor=psychometrician, scheme=scheme, slug=slug, name=name)
    rng = ctx.rng
    stimulus = None
    if any(d.stimulus for d in drafts):
        stimulus = create_stimulus(
            actor=author, bank=bank, identifier="CASE-LEAKED-KEY", title="Case: a leaked access key",
            body=text_to_flow(
                "At 09:12 a developer at a retail company pushed a configuration file to a public "
                "code repository. The file held a long-lived access key with administrator rights "
                "on the company's cloud account. A secret-scanning service reported it at 09:40."
            ),
        )  # fmt: skip
    made: dict[str, Item] = {}
    topics = len({d.topic for d in drafts})
    for index, draft in enumerate(drafts):
        domain = domains[(draft.topic if topics >= len(domains) else index) % len(domains)]
        task = domain.tasks.order_by("position", "code").first()
        item = create_item(
            actor=author, bank=bank, identifier=draft.identifier, title=draft.title, content=draft.content,
            competence_domain=domain, competence_task=task, cognitive_level=draft.level, tags=draft.tags,
            references="Invented for the Peritus demo.", stimulus=stimulus if draft.stimulus else None,
        )  # fmt: skip
        status = rng.choice(STATUS_PLAN)
        if draft.stimulus:
            status = ItemStatus.OPERATIONAL
        _bring_to(item, status, ctx)
        made[draft.identifier] = item
        if status in (ItemStatus.OPERATIONAL, ItemStatus.PILOT, ItemStatus.RETIRED):
            version_row = Item.objects.get(pk=item.pk).current_version
            assert version_row is not None
            n = rng.randint(40, 120) if status == ItemStatus.PILOT else rng.randint(180, 900)
            record_item_statistics(
                actor=psychometrician, item_version=version_row, n=n, p_value=round(rng.uniform(0.45, 0.92), 3),
                point_biserial=round(rng.uniform(0.12, 0.52), 3), irt_a=round(rng.uniform(0.6, 1.8), 2),
                irt_b=round(rng.uniform(-1.8, 1.2), 2), source="Demo calibration 2026 (2PL)",
            )  # fmt: skip
    for draft in drafts:
        if draft.pair and draft.pair in made:
            set_enemies(actor=author, item=made[draft.identifier], enemies=[made[draft.pair]])
    ctx.log(f"  {bank.name}: {len(made)} items")
    return bank


def _exam_component(version: SchemeVersion | None) -> AssessmentComponent | None:
    if version is None:
        return None
    return (
        AssessmentComponent.objects.filter(scheme_version=version)
        .filter(Q(kind=AssessmentComponentKind.EXAM) | Q(kind=AssessmentComponentKind.WRITTEN))
        .order_by("-kind", "position")
        .first()
    )


def _forms(
    ctx: DemoContext, bank: ItemBank, scheme: Scheme, code: str, total: int
) -> list[ExamForm]:
    existing = list(ExamForm.objects.filter(blueprint__bank=bank, status=FormStatus.APPROVED))
    if existing or ExamForm.objects.filter(blueprint__bank=bank).exists():
        return existing
    version, domains = _domains(scheme)
    component = _exam_component(version)
    if component is None:
        ctx.log(f"  {scheme.name}: no exam component; no blueprint")
        return []
    psychometrician, reviewer = ctx.users["psychometrician"], ctx.users["item reviewer"]
    in_service = Counter(
        Item.objects.filter(bank=bank, status__in=ASSEMBLABLE_STATUSES).values_list(
            "competence_domain_id", flat=True
        )
    )
    share = max(1, total // len(domains))
    rows = [
        RowInput(d, min(share, in_service[d.pk] // 2)) for d in domains if in_service[d.pk] >= 2
    ]
    blueprint = create_blueprint(
        actor=psychometrician, bank=bank, component=component, name=f"{component.name} blueprint",
        total_items=sum(r.item_count for r in rows), time_limit_minutes=component.duration_minutes or 90,
        pass_mark=(Decimal(component.pass_mark) * sum(r.item_count for r in rows) / (component.max_score or 1)).quantize(Decimal("0.01")),
        rows=rows, target_mean_p=0.7 if total >= 30 else None, target_tolerance=0.05,
    )  # fmt: skip
    approve_blueprint(actor=psychometrician, blueprint=blueprint)
    forms = assemble_forms(
        actor=psychometrician,
        blueprint=blueprint,
        code_prefix=code,
        count=2,
        seed=17024,
        seconds=10,
    )
    from peritus.itembank.services import review_form, submit_form

    for form in forms:
        submit_form(actor=psychometrician, form=form)
    review_form(actor=reviewer, form=forms[0], approve=True, comment="Blueprint met; keys checked.")
    ctx.log(f"  {bank.name}: forms {', '.join(f.code for f in forms)} (first approved)")
    return [ExamForm.objects.get(pk=forms[0].pk)]


def _find(word: str) -> Scheme | None:
    return Scheme.objects.filter(name__icontains=word).order_by("pk").first()


def load(ctx: DemoContext) -> None:
    ctx.extra.setdefault("exam_forms", {})
    ctx.extra.setdefault("item_banks", {})
    rng = random.Random(ctx.rng.random())  # noqa: S311 - demo content, not security
    plans: list[tuple[str, str, Any, str, int]] = [
        ("cloud", "Cloud security", cloud_drafts, "CSP-2026", 40),
        (
            "weld",
            "Welding inspection",
            lambda r: drafts_from_topics("WI", WELDING_TOPICS, r),
            "WI-2026",
            10,
        ),
        (
            "interpret",
            "Medical interpreting",
            lambda r: drafts_from_topics("MI", INTERPRETING_TOPICS, r),
            "MI-2026",
            10,
        ),
    ]
    for word, label, make, code, total in plans:
        scheme = _find(word)
        if scheme is None:
            ctx.log(f"  no {label.lower()} scheme yet; no item bank")
            continue
        bank = _fill_bank(ctx, scheme, f"{scheme.slug}-items", f"{label} items", make(rng))
        if bank is None:
            continue
        ctx.extra["item_banks"][scheme.slug] = bank
        ctx.extra["exam_forms"][scheme.slug] = _forms(ctx, bank, scheme, code, total)
    from peritus.itembank.demo_statistics import load as load_statistics

    load_statistics(ctx)

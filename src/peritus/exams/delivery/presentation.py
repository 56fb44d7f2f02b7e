"""How one delivered item looks on the candidate's exam page: the item bank's accessible rendering
(`itembank.presentation`), in the candidate's option order, with their current answer filled in.

Native form controls with labels, so keyboards and screen readers work and the page works without
JavaScript. Keys, rationales and the item's identifier never reach this module's output.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from peritus.exams.delivery.form_content import DeliveredForm, DeliveredItem
from peritus.exams.delivery.responses import (
    RESPONSE_FIELD,
    CurrentAnswer,
    is_answered,
    match_field,
    order_field,
)
from peritus.exams.models import Attempt
from peritus.itembank.presentation import present
from peritus.itembank.qti.content import InteractionType, Option
from peritus.itembank.qti.markup import render_html

GAP_KINDS = (
    InteractionType.INLINE_CHOICE,
    InteractionType.TEXT_ENTRY,
    InteractionType.NUMERIC_ENTRY,
)


@dataclasses.dataclass(frozen=True)
class OptionView:
    identifier: str
    html: SafeString
    input_id: str
    field: str
    checked: bool = False
    value: str = ""  # ordering: the position chosen; matching: the right option chosen


@dataclasses.dataclass(frozen=True)
class QuestionView:
    position: int
    count: int
    kind: str
    stem: SafeString
    prompt: SafeString
    stimulus: SafeString
    options: list[OptionView]
    left: list[OptionView]
    right: list[OptionView]
    text: str
    flagged: bool
    answered: bool
    points: Decimal
    expected_length: int | None

    @property
    def is_first(self) -> bool:
        return self.position == 1

    @property
    def is_last(self) -> bool:
        return self.position == self.count

    @property
    def positions(self) -> range:
        return range(1, len(self.options) + 1)


@dataclasses.dataclass(frozen=True)
class NavEntry:
    position: int
    answered: bool
    flagged: bool
    current: bool


def item_at(attempt: Attempt, form: DeliveredForm, position: int) -> DeliveredItem:
    return form.by_entry[attempt.item_order[position - 1]]


def _ordered(options: Sequence[Option], order: Sequence[str]) -> list[Option]:
    by_id = {option.identifier: option for option in options}
    shown = [by_id[identifier] for identifier in order if identifier in by_id]
    return shown + [option for option in options if option.identifier not in set(order)]


def _html(fragment: str, media_url: Callable[[str], str] | None) -> SafeString:
    return mark_safe(render_html(fragment, media_url=media_url))  # noqa: S308 - escaped by render_html


def _gap(item: DeliveredItem, options: list[Option], value: str) -> SafeString:
    content = item.content
    if content.interaction is InteractionType.INLINE_CHOICE:
        choices = format_html_join(
            "", '<option value="{}"{}>{}</option>',
            ((o.identifier, mark_safe(" selected") if o.identifier == value else "",
              mark_safe(render_html(o.text))) for o in options),  # noqa: S308 - escaped by render_html
        )  # fmt: skip
        return format_html(
            '<label class="visually-hidden" for="answer-gap">{}</label>'
            '<select id="answer-gap" name="{}"><option value="">{}</option>{}</select>',
            _("Your answer"), RESPONSE_FIELD, _("Choose…"), choices,
        )  # fmt: skip
    numeric = content.interaction is InteractionType.NUMERIC_ENTRY
    return format_html(
        '<label class="visually-hidden" for="answer-gap">{}</label>'
        '<input id="answer-gap" name="{}" type="text" size="{}" value="{}" autocomplete="off"'
        ' spellcheck="false"{}>',
        _("Your answer"), RESPONSE_FIELD, content.expected_length or 15, value,
        mark_safe(' inputmode="decimal"') if numeric else "",
    )  # fmt: skip


def question_view(
    attempt: Attempt,
    form: DeliveredForm,
    answers: dict[int, CurrentAnswer],
    position: int,
    *,
    media_url: Callable[[str], str] | None = None,
) -> QuestionView:
    item = item_at(attempt, form, position)
    content = item.content
    answer = answers.get(item.entry_id)
    response = answer.response if answer else ()
    order = attempt.option_orders.get(str(item.entry_id), [])
    presented = present(content, media_url=media_url, stimulus=item.stimulus_body)
    kind = content.interaction
    options: list[OptionView] = []
    left: list[OptionView] = []
    right: list[OptionView] = []
    text = ""
    stem = presented.stem
    if kind in GAP_KINDS:
        shown = _ordered(content.options, order)
        stem = mark_safe(  # noqa: S308 - escaped by render_html; the gap by format_html
            render_html(content.stem, gap=_gap(item, shown, response[0] if response else ""),
                        media_url=media_url)
        )  # fmt: skip
    elif kind is InteractionType.ORDER:
        canonical = content.option_ids()
        positions = dict(zip(canonical, response, strict=False)) if response else {}
        options = [
            OptionView(o.identifier, _html(o.text, media_url), f"order-{o.identifier}",
                       order_field(o.identifier), value=positions.get(o.identifier, ""))
            for o in _ordered(content.options, order)
        ]  # fmt: skip
    elif kind is InteractionType.MATCH:
        chosen = dict(pair.split(" ", 1) for pair in response)
        left = [
            OptionView(o.identifier, _html(o.text, media_url), f"match-{o.identifier}",
                       match_field(o.identifier), value=chosen.get(o.identifier, ""))
            for o in _ordered([o for o in content.options if o.match_set == 0], order)
        ]  # fmt: skip
        right = [
            OptionView(o.identifier, _html(o.text, media_url), "", "")
            for o in _ordered([o for o in content.options if o.match_set == 1], order)
        ]
    elif kind is InteractionType.EXTENDED_RESPONSE:
        text = response[0] if response else ""
    else:
        options = [
            OptionView(o.identifier, _html(o.text, media_url), f"option-{o.identifier}",
                       RESPONSE_FIELD, checked=o.identifier in response)
            for o in _ordered(content.options, order)
        ]  # fmt: skip
    return QuestionView(
        position=position,
        count=len(attempt.item_order),
        kind=kind.value,
        stem=stem,
        prompt=presented.prompt,
        stimulus=presented.stimulus,
        options=options,
        left=left,
        right=right,
        text=text,
        flagged=bool(answer and answer.flagged),
        answered=is_answered(content, response),
        points=item.points,
        expected_length=content.expected_length,
    )


def navigation(
    attempt: Attempt, form: DeliveredForm, answers: dict[int, CurrentAnswer], current: int = 0
) -> list[NavEntry]:
    entries = []
    for position, entry_id in enumerate(attempt.item_order, start=1):
        answer = answers.get(entry_id)
        item = form.by_entry[entry_id]
        entries.append(
            NavEntry(
                position=position,
                answered=bool(answer and is_answered(item.content, answer.response)),
                flagged=bool(answer and answer.flagged),
                current=position == current,
            )
        )
    return entries

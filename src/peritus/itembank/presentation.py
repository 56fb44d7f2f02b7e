"""How an item looks to a candidate: accessible, server-rendered HTML that works with the keyboard
and without JavaScript. The back-office preview uses it; exam delivery can use it too.

Every text comes from a canonical fragment rendered by `markup.render_html` (escaped, subset
only); controls are native form elements with labels, so screen readers and keyboards work.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from peritus.itembank.qti.content import InteractionType, ItemContent
from peritus.itembank.qti.markup import render_html


@dataclasses.dataclass(frozen=True)
class PresentedOption:
    identifier: str
    html: SafeString
    input_id: str


@dataclasses.dataclass(frozen=True)
class PresentedItem:
    kind: str
    stem: SafeString
    prompt: SafeString
    options: list[PresentedOption]
    left: list[PresentedOption]
    right: list[PresentedOption]
    name: str
    stimulus: SafeString
    expected_length: int | None


def present(
    content: ItemContent,
    *,
    name: str = "response",
    media_url: Callable[[str], str] | None = None,
    stimulus: str = "",
) -> PresentedItem:
    """The pieces a template needs to show one item (`name` is the form field's name)."""
    kind = content.interaction

    def html(fragment: str, gap: str = "") -> SafeString:
        return mark_safe(render_html(fragment, gap=gap, media_url=media_url))  # noqa: S308 - escaped by render_html

    gap = ""
    if kind is InteractionType.INLINE_CHOICE:
        choices = format_html_join(
            "", '<option value="{}">{}</option>',
            ((o.identifier, mark_safe(render_html(o.text))) for o in content.options),  # noqa: S308 - escaped by render_html
        )  # fmt: skip
        gap = format_html(
            '<label class="visually-hidden" for="{0}-gap">{1}</label>'
            '<select id="{0}-gap" name="{0}"><option value="">{2}</option>{3}</select>',
            name, _("Your answer"), _("Choose…"), choices,
        )  # fmt: skip
    elif kind in {InteractionType.TEXT_ENTRY, InteractionType.NUMERIC_ENTRY}:
        size = content.expected_length or 15
        gap = format_html(
            '<label class="visually-hidden" for="{0}-gap">{1}</label>'
            '<input id="{0}-gap" name="{0}" type="text" size="{2}" autocomplete="off"{3}>',
            name, _("Your answer"), size,
            mark_safe(' inputmode="decimal"') if kind is InteractionType.NUMERIC_ENTRY else "",
        )  # fmt: skip

    def options(match_set: int | None) -> list[PresentedOption]:
        return [
            PresentedOption(o.identifier, html(o.text), f"{name}-{o.identifier}")
            for o in content.options
            if match_set is None or o.match_set == match_set
        ]

    return PresentedItem(
        kind=kind.value,
        stem=html(content.stem, gap),
        prompt=html(content.prompt),
        options=options(None) if kind is not InteractionType.MATCH else [],
        left=options(0) if kind is InteractionType.MATCH else [],
        right=options(1) if kind is InteractionType.MATCH else [],
        name=name,
        stimulus=html(stimulus),
        expected_length=content.expected_length,
    )

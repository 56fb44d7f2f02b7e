"""Paper forms: the candidate booklet and the answer key, each carrying the form code (reportlab)."""

from __future__ import annotations

import dataclasses
import html
import io
from collections.abc import Sequence
from xml.etree.ElementTree import Element

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from peritus.itembank.qti.content import InteractionType, ItemContent
from peritus.itembank.qti.markup import local_name, parse_fragment


@dataclasses.dataclass(frozen=True)
class PrintedItem:
    position: int
    identifier: str
    points: str
    content: ItemContent
    stimulus: str = ""


def _plain(fragment: str, gap: str = "________") -> list[str]:
    """Paragraph texts of a canonical fragment, with reportlab's small markup (b, i, br)."""
    if not fragment:
        return []
    root = parse_fragment(fragment)
    paragraphs: list[str] = []
    if any(
        local_name(child.tag)
        in {
            "p",
            "div",
            "blockquote",
            "ul",
            "ol",
            "table",
            "pre",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "dl",
        }
        for child in root
    ):
        for child in root:
            paragraphs.append(_inline(child, gap))
    else:
        paragraphs.append(_inline(root, gap))
    return [p for p in paragraphs if p.strip()]


def _inline(element: Element, gap: str) -> str:
    pieces = [html.escape(element.text or "", quote=False)]
    for child in element:
        name = local_name(child.tag)
        if name == "gap":
            pieces.append(gap)
        elif name == "br":
            pieces.append("<br/>")
        elif name == "img":
            pieces.append(f"[{html.escape(child.get('alt') or 'figure', quote=False)}]")
        elif name in {"em", "i"}:
            pieces.append(f"<i>{_inline(child, gap)}</i>")
        elif name in {"strong", "b"}:
            pieces.append(f"<b>{_inline(child, gap)}</b>")
        elif name == "li":
            pieces.append(f"• {_inline(child, gap)}<br/>")
        else:
            pieces.append(_inline(child, gap) + (" " if name in {"td", "th"} else ""))
        pieces.append(html.escape(child.tail or "", quote=False))
    return "".join(pieces)


def _footer(code: str, title: str) -> object:
    def draw(canvas: Canvas, document: object) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(18 * mm, 10 * mm, f"{title} · Form {code} · CONFIDENTIAL")
        canvas.drawRightString(192 * mm, 10 * mm, f"Page {canvas.getPageNumber()}")
        canvas.restoreState()

    return draw


def render_booklet(
    *, code: str, title: str, body_name: str, time_limit: int, items: Sequence[PrintedItem]
) -> bytes:
    """The candidate booklet: instructions, then each item with its options and answer space."""
    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    small = ParagraphStyle("small", parent=styles["BodyText"], fontSize=9, leading=11)
    document = SimpleDocTemplate(buffer, pagesize=A4, title=f"{title} — {code}", author=body_name,
                                 leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=18 * mm)  # fmt: skip
    story: list[object] = [
        Paragraph(html.escape(body_name), styles["Title"]),
        Paragraph(f"{html.escape(title)} — form <b>{html.escape(code)}</b>", styles["Heading2"]),
        Paragraph(
            f"Time allowed: {time_limit} minutes. Write your candidate number on every page. "
            "Answer every question. Mark one answer unless the question says otherwise.",
            styles["BodyText"],
        ),
        Spacer(1, 6 * mm),
    ]
    for item in items:
        content = item.content
        story.append(
            Paragraph(
                f"<b>{item.position}.</b> <font size=8>({item.points} pt)</font>",
                styles["BodyText"],
            )
        )
        for paragraph in _plain(item.stimulus):
            story.append(Paragraph(paragraph, small))
        for paragraph in _plain(content.stem) + _plain(content.prompt):
            story.append(Paragraph(paragraph, styles["BodyText"]))
        if content.interaction is InteractionType.MATCH:
            left = [o for o in content.options if o.match_set == 0]
            right = [o for o in content.options if o.match_set == 1]
            rows = [[Paragraph(f"{n}. {_inline(parse_fragment(o.text), '')}", small) for n, o in enumerate(left, 1)],
                    [Paragraph(f"{chr(65 + n)}. {_inline(parse_fragment(o.text), '')}", small) for n, o in enumerate(right)]]  # fmt: skip
            length = max(len(rows[0]), len(rows[1]))
            table = [
                [rows[0][n] if n < len(rows[0]) else "", rows[1][n] if n < len(rows[1]) else ""]
                for n in range(length)
            ]
            story.append(Table(table, colWidths=[85 * mm, 85 * mm]))
        elif content.interaction not in {
            InteractionType.TEXT_ENTRY,
            InteractionType.NUMERIC_ENTRY,
            InteractionType.EXTENDED_RESPONSE,
        }:
            for n, option in enumerate(content.options):
                marker = (
                    "☐" if content.interaction is InteractionType.MULTIPLE_RESPONSE else chr(65 + n)
                )
                if content.interaction is InteractionType.ORDER:
                    marker = "[  ]"
                story.append(
                    Paragraph(
                        f"&nbsp;&nbsp;{marker}&nbsp; {_inline(parse_fragment(option.text), '')}",
                        styles["BodyText"],
                    )
                )
        if content.interaction is InteractionType.EXTENDED_RESPONSE:
            story.append(Spacer(1, 40 * mm))
        story.append(Spacer(1, 5 * mm))
    document.build(story, onFirstPage=_footer(code, title), onLaterPages=_footer(code, title))
    return buffer.getvalue()


def key_text(content: ItemContent) -> str:
    """The key as a marker reads it: letters for options in booklet order, pairs, values."""
    letters = {o.identifier: chr(65 + n) for n, o in enumerate(content.options)}
    kind = content.interaction
    if kind is InteractionType.EXTENDED_RESPONSE:
        return "Rubric"
    if kind is InteractionType.MATCH:
        left = {
            o.identifier: str(n)
            for n, o in enumerate([o for o in content.options if o.match_set == 0], 1)
        }
        right = {
            o.identifier: chr(65 + n)
            for n, o in enumerate([o for o in content.options if o.match_set == 1])
        }
        return ", ".join(
            f"{left.get(a, a)}–{right.get(b, b)}"
            for a, _, b in (p.partition(" ") for p in content.key)
        )
    if kind in {InteractionType.TEXT_ENTRY, InteractionType.NUMERIC_ENTRY}:
        return " / ".join(content.key)
    separator = " → " if kind is InteractionType.ORDER else ", "
    return separator.join(letters.get(v, v) for v in content.key)


def render_answer_key(
    *, code: str, title: str, body_name: str, items: Sequence[PrintedItem]
) -> bytes:
    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=f"Answer key — {code}", author=body_name,
                                 leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=18 * mm)  # fmt: skip
    rows = [["#", "Item", "Key", "Points"]]
    rows += [
        [
            str(i.position),
            i.identifier,
            Paragraph(html.escape(key_text(i.content)), styles["BodyText"]),
            i.points,
        ]
        for i in items
    ]
    table = Table(rows, colWidths=[12 * mm, 50 * mm, 85 * mm, 20 * mm], repeatRows=1)
    table.setStyle(
        TableStyle([
            ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ])
    )  # fmt: skip
    story = [
        Paragraph(f"Answer key — {html.escape(title)}", styles["Title"]),
        Paragraph(
            f"Form <b>{html.escape(code)}</b> · CONFIDENTIAL: markers only", styles["Heading2"]
        ),
        Spacer(1, 4 * mm),
        table,
    ]
    document.build(story, onFirstPage=_footer(code, title), onLaterPages=_footer(code, title))
    return buffer.getvalue()

"""The PDF report (reportlab): the same content as the HTML page, laid out for print.

Summary pages first, then one page per item. Figures are embedded as 110 dpi PNG images drawn
by the same code as the HTML figures. The document carries a title, an author field and
bookmarks per item so it can be navigated.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from peritus.psychometrics.plots import Drawing

_TOPICS = {
    "reliability": "Reliability",
    "items": "Items",
    "decisions": "Decisions at the cut",
    "irt": "IRT model",
    "fairness": "Fairness (DIF)",
    "security": "Exam security",
}

_STATUS = {
    "ok": "OK",
    "attention": "NEEDS ATTENTION",
    "problem": "PROBLEM",
    "not_available": "NOT AVAILABLE",
}


def _num(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _pct(value: Any) -> str:
    return "-" if value is None else f"{100.0 * float(value):.1f}%"


class _Bookmark(Flowable):  # type: ignore[misc]  # reportlab ships no type hints
    """Zero-size flowable that drops a PDF outline entry where it lands."""

    def __init__(self, key: str, title: str, level: int = 0) -> None:
        super().__init__()
        self.key = key
        self.title = title
        self.level = level

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0.0, 0.0

    def draw(self) -> None:
        canvas = self.canv
        canvas.bookmarkPage(self.key)
        canvas.addOutlineEntry(self.title, self.key, level=self.level)


def _table(
    rows: Sequence[Sequence[str]], widths: Sequence[float] | None = None, header: bool = True
) -> Table:
    styles = getSampleStyleSheet()
    cell = ParagraphStyle("cell", parent=styles["BodyText"], fontSize=8, leading=10)
    data = [[Paragraph(escape(str(value)), cell) for value in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1 if header else 0)
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8ecf0")))
    table.setStyle(TableStyle(commands))
    return table


def _image(drawing: Drawing, width_cm: float = 17.0) -> Image:
    png = drawing.png(110)
    width = width_cm * cm
    height = width * drawing.height / drawing.width
    return Image(io.BytesIO(png), width=width, height=height)


def render_pdf(report: Mapping[str, Any], figures: Mapping[str, Drawing]) -> bytes:
    """PDF bytes for a report dictionary and its figures."""
    buffer = io.BytesIO()
    title = str(report["title"])
    # Binary image streams instead of ASCII85: a third smaller and much faster without the
    # optional C accelerator.
    rl_config.useA85 = 0
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author="Peritus psychometrics",
        subject=str(report.get("source", "")),
        leftMargin=1.8 * cm,
        rightMargin=1.8 * cm,
        topMargin=1.6 * cm,
        bottomMargin=1.6 * cm,
    )
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    story: list[Flowable] = [
        _Bookmark("summary", "Summary"),
        Paragraph(escape(title), styles["Title"]),
        Paragraph(
            escape(
                f"{report.get('source', '')} · {report['n_candidates']:,} candidates · "
                f"{report['n_items']} items"
            ),
            body,
        ),
        Spacer(1, 0.4 * cm),
        Paragraph("Verdicts", styles["Heading2"]),
    ]
    for verdict in report["verdicts"]:
        story.append(
            Paragraph(
                f"<b>{escape(_STATUS.get(verdict['status'], verdict['status']))}</b> — "
                f"<b>{escape(_TOPICS.get(verdict['topic'], verdict['topic']))}.</b> "
                f"{escape(verdict['message'])}",
                body,
            )
        )
    test = report["test"]
    story.append(Paragraph("Test statistics", styles["Heading2"]))
    story.append(
        _table(
            [
                ["Statistic", "Value"],
                ["Candidates / items", f"{report['n_candidates']:,} / {report['n_items']}"],
                [
                    "Mean (SD, SD with N-1)",
                    f"{_num(test['mean'], 2)} ({_num(test['sd'], 2)}, {_num(test['sd_ddof'], 2)})",
                ],
                [
                    "Alpha / KR-20 / KR-21",
                    f"{_num(test['alpha'])} / {_num(test['kr20'])} / {_num(test['kr21'])}",
                ],
                ["SEM", _num(test["sem"], 2)],
                ["Mean p-value", _num(test["mean_p_value"])],
            ],
            widths=[7 * cm, 10 * cm],
        )
    )
    story.append(_image(figures["score_distribution"]))
    flagged = [item for item in report["items"] if item["flags"]]
    story.append(Paragraph("Flagged items", styles["Heading2"]))
    if flagged:
        story.append(
            _table(
                [["Item", "p", "Item-rest r", "Why"]]
                + [
                    [
                        item["item_id"],
                        _num(item["p_value"]),
                        _num(item["item_rest_correlation"]),
                        "; ".join(flag["message"] for flag in item["flags"]),
                    ]
                    for item in flagged
                ],
                widths=[2.5 * cm, 1.5 * cm, 2 * cm, 11 * cm],
            )
        )
    else:
        story.append(Paragraph("No item is flagged under the thresholds.", body))
    decision = report.get("decision_consistency")
    if decision is not None:
        band = decision["sem_band"]
        rows = [
            ["Statistic", "Value"],
            ["Cut (pass if score >= cut)", _num(decision["cut"], 2)],
            ["Observed pass rate", _pct(decision.get("observed_pass_rate"))],
            [
                "Consistency / kappa (Livingston-Lewis)",
                f"{_num(decision.get('consistency'))} / {_num(decision.get('kappa'))}",
            ],
            ["Accuracy (Livingston-Lewis)", _num(decision.get("accuracy"))],
            [
                "False pass / false fail",
                f"{_pct(decision.get('false_pass'))} / {_pct(decision.get('false_fail'))}",
            ],
            [
                f"Within ±{band['z']:g} SEM of the cut",
                f"{band['n_within']:,} ({_pct(band['proportion_within'])})",
            ],
        ]
        if "subkoviak" in decision:
            rows.append(
                [
                    "Consistency / kappa (Subkoviak)",
                    f"{_num(decision['subkoviak']['consistency'])} / "
                    f"{_num(decision['subkoviak']['kappa'])}",
                ]
            )
        story.append(Paragraph("Decision consistency at the cut", styles["Heading2"]))
        story.append(_table(rows, widths=[7 * cm, 10 * cm]))
    irt = report.get("irt")
    if irt is not None and "test_information" in figures:
        story.append(Paragraph("IRT calibration", styles["Heading2"]))
        story.append(
            Paragraph(
                escape(
                    f"{'Rasch' if irt['model'] == 'rasch' else '2PL'}, {irt['estimation']}; "
                    f"{'converged' if irt['converged'] else 'NOT converged'} after "
                    f"{irt['iterations']} iterations; log-likelihood "
                    f"{_num(irt['log_likelihood'], 2)}."
                ),
                body,
            )
        )
        story.append(_image(figures["test_information"]))
    for comparison in report.get("dif", []):
        story.append(
            Paragraph(
                escape(f"DIF: {comparison['focal']} (focal) against {comparison['reference']}"),
                styles["Heading2"],
            )
        )
        story.append(
            _table(
                [["Item", "MH D-DIF", "SE", "p", "ETS"]]
                + [
                    [
                        entry["item_id"],
                        _num(entry["mh_d_dif"], 2),
                        _num(entry["se"], 2),
                        _num(entry["p_value"], 4),
                        entry["category"] or "-",
                    ]
                    for entry in comparison["items"]
                ]
            )
        )
    security = report.get("security")
    if security is not None:
        story.append(Paragraph("Exam security screening", styles["Heading2"]))
        person = security.get("person_fit")
        if person is not None:
            story.append(
                Paragraph(
                    escape(
                        f"{person['n_flagged']} candidates with lz* below {person['threshold']:g}."
                    ),
                    body,
                )
            )
        similarity = security.get("similarity")
        if similarity is not None:
            story.append(
                Paragraph(
                    escape(
                        f"{similarity['n_flagged']} of {similarity['n_pairs']:,} pairs flagged "
                        f"for answer similarity ({similarity['method']})."
                    ),
                    body,
                )
            )
    for index, item in enumerate(report["items"]):
        story.append(PageBreak())
        story.append(_Bookmark(f"item-{index}", f"Item {item['item_id']}", level=0))
        story.append(Paragraph(escape(f"Item {item['item_id']}"), styles["Heading2"]))
        rows = [
            ["Statistic", "Value"],
            ["Kind / key", f"{item['kind']} / {item['key'] or '-'}"],
            ["p-value", _num(item["p_value"])],
            [
                "Point-biserial / item-rest r",
                f"{_num(item['point_biserial'])} / {_num(item['item_rest_correlation'])}",
            ],
            ["Discrimination index", _num(item["discrimination_index"])],
            ["Alpha if deleted", _num(item["alpha_if_deleted"])],
            ["Omitted / not reached", f"{item['n_omitted']} / {item['n_not_reached']}"],
        ]
        irt_item = item.get("irt")
        if irt_item is not None and irt_item.get("a") is not None:
            rows.append(["IRT a / b", f"{_num(irt_item['a'])} / {_num(irt_item['b'])}"])
            rows.append(
                [
                    "S-X2 (df, p)",
                    f"{_num(irt_item['s_x2'], 2)} ({irt_item['s_x2_df']}, "
                    f"{_num(irt_item['s_x2_p'])})",
                ]
            )
        story.append(_table(rows, widths=[7 * cm, 10 * cm]))
        story.append(Paragraph("Flags", styles["Heading3"]))
        if item["flags"]:
            for flag in item["flags"]:
                story.append(Paragraph("• " + escape(flag["message"]), body))
        else:
            story.append(Paragraph("None.", body))
        options = item.get("options")
        if options:
            story.append(
                KeepTogether(
                    [
                        Paragraph("Distractor analysis", styles["Heading3"]),
                        _table(
                            [["Option", "n", "Proportion", "Upper", "Lower", "Option-rest r"]]
                            + [
                                [
                                    option["option"] + (" (key)" if option["is_key"] else ""),
                                    _num(option["count"]),
                                    _pct(option["proportion"]),
                                    _pct(option["upper"]),
                                    _pct(option["lower"]),
                                    _num(option["rest_correlation"]),
                                ]
                                for option in options
                            ]
                        ),
                    ]
                )
            )
        figure = figures.get(f"item:{index}")
        if figure is not None:
            story.append(Spacer(1, 0.3 * cm))
            story.append(_image(figure))
    document.build(story)
    return buffer.getvalue()

"""Report figures, drawn with matplotlib's object-oriented API (no pyplot, no global backend).

Each figure is rendered either as an inline SVG fragment for HTML (text kept as text, element
ids prefixed so several figures can share one page, ``role="img"`` with a ``<title>`` and
``<desc>``) or as PNG bytes for the PDF. Output is deterministic: no timestamp, a fixed hash
salt.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib as mpl
import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from peritus.psychometrics.arrays import FloatArray

# Typed as Any: matplotlib's stubs want a dict keyed by a Literal of every rc name.
_RC: Any = {
    "svg.fonttype": "none",
    "svg.hashsalt": "peritus-psychometrics",
    "font.size": 9.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10.0,
    "axes.titleweight": "bold",
}
# Okabe & Ito's colour-blind-safe palette; series also differ by marker and line style.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1)), "-", "--")

_REFERENCE = re.compile(r'(\bid="|url\(#|href="#)([^")]+)')


@dataclass(frozen=True)
class Drawing:
    """A figure ready for either output: ``draw`` fills a fresh Figure."""

    draw: Callable[[Figure], None]
    width: float
    height: float
    title: str
    description: str

    def svg(self, prefix: str) -> str:
        return render_svg(self, prefix)

    def png(self, dpi: int = 110) -> bytes:
        return render_png(self, dpi)


def _figure(drawing: Drawing) -> Figure:
    figure = Figure(figsize=(drawing.width, drawing.height))
    drawing.draw(figure)
    return figure


def render_svg(drawing: Drawing, prefix: str) -> str:
    """Inline SVG with ids prefixed by ``prefix`` and an accessible name and description."""
    buffer = io.StringIO()
    with mpl.rc_context(_RC):
        _figure(drawing).savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.DOTALL)
    # Several figures share one HTML page: every id and every reference to one gets the prefix.
    text = _REFERENCE.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", text)
    title_id = f"{prefix}-title"
    desc_id = f"{prefix}-desc"
    opening_end = text.index(">") + 1
    opening = text[: opening_end - 1]
    opening = re.sub(r'\swidth="[^"]+"', "", opening, count=1)
    opening = re.sub(r'\sheight="[^"]+"', "", opening, count=1)
    accessible = (
        f'{opening} role="img" aria-labelledby="{title_id} {desc_id}" focusable="false">'
        f'<title id="{title_id}">{html.escape(drawing.title)}</title>'
        f'<desc id="{desc_id}">{html.escape(drawing.description)}</desc>'
    )
    return accessible + text[opening_end:]


def render_png(drawing: Drawing, dpi: int = 110) -> bytes:
    buffer = io.BytesIO()
    with mpl.rc_context(_RC):
        _figure(drawing).savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def score_distribution(
    scores: npt.ArrayLike,
    counts: npt.ArrayLike,
    *,
    cut: float | None = None,
    max_score: int,
) -> Drawing:
    score_array = np.asarray(scores, dtype=np.float64)
    count_array = np.asarray(counts, dtype=np.float64)

    def draw(figure: Figure) -> None:
        ax = figure.add_subplot()
        ax.bar(score_array, count_array, width=0.9 if max_score <= 60 else 1.0, color=PALETTE[0])
        if cut is not None:
            ax.axvline(
                cut - 0.5, color=PALETTE[1], linestyle="--", linewidth=1.5, label=f"cut {cut:g}"
            )
            ax.legend(frameon=False, loc="upper left")
        ax.set_xlabel("Total score")
        ax.set_ylabel("Candidates")
        ax.set_xlim(-0.5 - max_score * 0.01, max_score + 0.5)
        ax.set_title("Score distribution")
        figure.subplots_adjust(left=0.1, right=0.97, bottom=0.2, top=0.87)

    total = int(count_array.sum())
    mode = int(score_array[int(np.argmax(count_array))]) if total else 0
    description = (
        f"Bar chart of how many of the {total} candidates obtained each total score from 0 to "
        f"{max_score}; the most frequent score is {mode}."
        + (f" A dashed line marks the cut score {cut:g}." if cut is not None else "")
    )
    return Drawing(draw, 6.4, 2.6, "Score distribution", description)


def item_curves(
    item_id: str,
    *,
    empirical_x: FloatArray,
    empirical_p: FloatArray,
    empirical_n: FloatArray,
    x_label: str,
    model_theta: FloatArray | None = None,
    model_p: FloatArray | None = None,
    option_labels: Sequence[str] = (),
    option_x: FloatArray | None = None,
    option_p: FloatArray | None = None,
    key_labels: Sequence[str] = (),
) -> Drawing:
    """Item characteristic curve with empirical proportions, and option trace lines."""
    with_options = option_x is not None and option_p is not None and len(option_labels) > 0

    def draw(figure: Figure) -> None:
        axes = figure.subplots(1, 2 if with_options else 1, squeeze=False)[0]
        if with_options:
            figure.subplots_adjust(left=0.08, right=0.87, bottom=0.2, top=0.87, wspace=0.3)
        else:
            figure.subplots_adjust(left=0.14, right=0.96, bottom=0.2, top=0.87)
        ax: Axes = axes[0]
        if model_theta is not None and model_p is not None:
            ax.plot(model_theta, model_p, color=PALETTE[0], linewidth=2, label="model")
        sizes = 12 + 60 * empirical_n / max(float(empirical_n.max(initial=1.0)), 1.0)
        ax.scatter(
            empirical_x,
            empirical_p,
            s=sizes,
            color=PALETTE[1],
            marker="s",
            zorder=3,
            label="observed",
        )
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel(x_label)
        ax.set_ylabel("Proportion correct")
        ax.set_title("Item characteristic curve")
        ax.legend(frameon=False, loc="lower right")
        if with_options and option_x is not None and option_p is not None:
            trace: Axes = axes[1]
            for index, label in enumerate(option_labels):
                keyed = label in key_labels
                trace.plot(
                    option_x,
                    option_p[index],
                    color=PALETTE[index % len(PALETTE)],
                    marker=MARKERS[index % len(MARKERS)],
                    linestyle=LINESTYLES[index % len(LINESTYLES)],
                    linewidth=2.5 if keyed else 1.2,
                    label=f"{label} (key)" if keyed else label,
                )
            trace.set_ylim(-0.02, 1.02)
            trace.set_xlabel("Score group (low to high)")
            trace.set_ylabel("Proportion choosing")
            trace.set_title("Option trace lines")
            trace.legend(frameon=False, fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))

    points = ", ".join(f"{x:.2f}: {p:.2f}" for x, p in zip(empirical_x, empirical_p, strict=True))
    description = (
        f"Item {item_id}. Observed proportion correct by group ({x_label}: proportion) "
        f"is {points}."
        + (
            " The line is the fitted model's item characteristic curve."
            if model_p is not None
            else ""
        )
        + (
            " The second panel shows how often each option was chosen in each score group."
            if with_options
            else ""
        )
    )
    return Drawing(draw, 6.8 if with_options else 4.2, 2.6, f"Item {item_id} curves", description)


def test_information(theta: FloatArray, information: FloatArray, *, model: str) -> Drawing:
    name = "Rasch" if model == "rasch" else model.upper()

    def draw(figure: Figure) -> None:
        ax = figure.add_subplot()
        ax.plot(theta, information, color=PALETTE[0], linewidth=2, label="information")
        ax.set_xlabel("Trait (theta)")
        ax.set_ylabel("Information")
        ax.set_title(f"Test information ({name})")
        se_ax = ax.twinx()
        with np.errstate(divide="ignore"):
            se = np.where(information > 0, 1.0 / np.sqrt(information), np.nan)
        se_ax.plot(theta, se, color=PALETTE[1], linestyle="--", linewidth=1.5, label="SE")
        finite = se[np.isfinite(se)]
        if finite.size:
            # The SE explodes in the tails; show the useful range instead of the asymptote.
            se_ax.set_ylim(0.0, float(min(finite.max(), max(1.5, 4.0 * finite.min()))) * 1.05)
        se_ax.set_ylabel("Standard error")
        se_ax.spines["right"].set_visible(True)
        lines = ax.get_lines() + se_ax.get_lines()
        ax.legend(
            lines, [str(line.get_label()) for line in lines], frameon=False, loc="upper right"
        )
        figure.subplots_adjust(left=0.1, right=0.9, bottom=0.2, top=0.87)

    peak = int(np.argmax(information))
    description = (
        f"Line chart of test information over the trait scale; it peaks at theta "
        f"{theta[peak]:.2f} with information {information[peak]:.2f}. The dashed line is the "
        "standard error of measurement, one over the square root of the information."
    )
    return Drawing(draw, 6.4, 2.6, "Test information", description)

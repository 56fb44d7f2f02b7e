"""The HTML report: one self-contained, accessible page.

A summary first (the verdicts a scheme committee reads: reliability, flagged items and why,
decision consistency at the cut, fairness, security), then one section per item with its
statistics, flags, distractor table and curves. Everything is inline: the style sheet, the SVG
figures; the page loads nothing from the network. Headings are nested in order, every table
has a caption and scoped header cells, every figure has a title and a text description, and no
information is carried by colour alone (statuses are written out).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from peritus.psychometrics.plots import Drawing

_CSS = """
:root { color-scheme: light; --ink: #1a1a1a; --muted: #555; --rule: #ccc; --ok: #0b6b2f;
  --attention: #8a5300; --problem: #a0001c; --bg-alt: #f4f6f8; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
  margin: 0 auto; max-width: 70rem; padding: 1.5rem; }
h1 { font-size: 1.7rem; margin: 0 0 .25rem; } h2 { font-size: 1.35rem; margin-top: 2.5rem;
  border-bottom: 2px solid var(--rule); } h3 { font-size: 1.15rem; margin-top: 2rem; }
h4 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border: 1px solid var(--rule); padding: .25rem .5rem; text-align: right; }
th[scope="row"], td.text, th.text { text-align: left; }
th[scope="row"] { white-space: nowrap; } table { min-width: 18rem; }
thead th { background: var(--bg-alt); }
tr.key th, tr.key td { font-weight: 700; }
.status { font-weight: 700; text-transform: uppercase; font-size: .8rem; letter-spacing: .04em; }
.status-ok { color: var(--ok); } .status-attention { color: var(--attention); }
.status-problem { color: var(--problem); } .status-not_available { color: var(--muted); }
ul.verdicts { list-style: none; padding: 0; } ul.verdicts li { margin: .5rem 0; padding: .5rem .75rem;
  border-left: 4px solid var(--rule); background: var(--bg-alt); }
ul.verdicts li.ok { border-color: var(--ok); } ul.verdicts li.attention { border-color: var(--attention); }
ul.verdicts li.problem { border-color: var(--problem); }
figure { margin: 1rem 0; } figure svg { width: 100%; max-width: 46rem; height: auto; }
figcaption { color: var(--muted); font-size: .9rem; }
.flags li { margin: .2rem 0; } .muted { color: var(--muted); }
nav ol { columns: 4 12rem; padding-left: 1.5rem; }
a { color: #0b4f8a; } a:focus-visible { outline: 3px solid #0b4f8a; outline-offset: 2px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: #fff; }
@media print { nav, .skip { display: none; } article.item { break-before: page; } }
"""

_TOPICS = {
    "reliability": "Reliability",
    "items": "Items",
    "decisions": "Decisions at the cut",
    "irt": "IRT model",
    "fairness": "Fairness (DIF)",
    "security": "Exam security",
}

_STATUS_TEXT = {
    "ok": "OK",
    "attention": "Needs attention",
    "problem": "Problem",
    "not_available": "Not available",
}


def _num(value: Any, digits: int = 3) -> str:
    if value is None:
        return '<span class="muted" title="not defined">&ndash;</span>'
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return escape(str(value))


def _pct(value: Any) -> str:
    if value is None:
        return '<span class="muted" title="not defined">&ndash;</span>'
    return f"{100.0 * float(value):.1f}%"


def _table(
    caption: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    row_header: bool = True,
    row_classes: Sequence[str] | None = None,
    text_columns: frozenset[int] = frozenset({0}),
) -> str:
    def cls(i: int) -> str:
        return ' class="text"' if i in text_columns else ""

    head = "".join(f'<th scope="col"{cls(i)}>{escape(h)}</th>' for i, h in enumerate(headers))
    body = []
    for index, row in enumerate(rows):
        cells = []
        for i, cell in enumerate(row):
            if i == 0 and row_header:
                cells.append(f'<th scope="row">{cell}</th>')
            else:
                cells.append(f"<td{cls(i)}>{cell}</td>")
        row_class = f' class="{row_classes[index]}"' if row_classes and row_classes[index] else ""
        body.append(f"<tr{row_class}>{''.join(cells)}</tr>")
    return (
        f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _figure(drawing: Drawing, prefix: str) -> str:
    return (
        f"<figure>{drawing.svg(prefix)}"
        f"<figcaption>{escape(drawing.description)}</figcaption></figure>"
    )


def _summary(report: Mapping[str, Any], figures: Mapping[str, Drawing]) -> list[str]:
    test = report["test"]
    out = ['<section aria-labelledby="summary"><h2 id="summary">Summary</h2>']
    out.append('<h3 id="verdicts">Verdicts</h3><ul class="verdicts">')
    for verdict in report["verdicts"]:
        status = verdict["status"]
        out.append(
            f'<li class="{escape(status)}"><span class="status status-{escape(status)}">'
            f"{escape(_STATUS_TEXT.get(status, status))}</span> "
            f"<strong>{escape(_TOPICS.get(verdict['topic'], verdict['topic']))}.</strong> "
            f"{escape(verdict['message'])}</li>"
        )
    out.append("</ul>")
    rows = [
        ["Candidates", _num(report["n_candidates"])],
        ["Items", _num(report["n_items"])],
        ["Maximum score", _num(test["max_score"])],
        ["Mean", _num(test["mean"], 2)],
        ["SD (divides by N)", _num(test["sd"], 2)],
        ["SD (divides by N - 1)", _num(test["sd_ddof"], 2)],
        ["Median", _num(test["median"], 1)],
        ["Lowest / highest score", f"{_num(test['min'])} / {_num(test['max'])}"],
        ["Coefficient alpha", _num(test["alpha"])],
        ["KR-20", _num(test["kr20"])],
        ["KR-21", _num(test["kr21"])],
        ["Standard error of measurement", _num(test["sem"], 2)],
        ["Mean p-value", _num(test["mean_p_value"])],
        ["Mean item-rest correlation", _num(test["mean_item_rest_correlation"])],
    ]
    out.append('<h3 id="test-statistics">Test statistics</h3>')
    out.append(_table("Test statistics", ["Statistic", "Value"], rows))
    for note in test["notes"]:
        out.append(f'<p class="muted">{escape(note)}</p>')
    out.append(_figure(figures["score_distribution"], "fig-scores"))

    flagged = [item for item in report["items"] if item["flags"]]
    out.append('<h3 id="flagged-items">Flagged items</h3>')
    if flagged:
        rows = [
            [
                f'<a href="#item-{report["items"].index(item)}">{escape(item["item_id"])}</a>',
                _num(item["p_value"]),
                _num(item["item_rest_correlation"]),
                '<ul class="flags">'
                + "".join(f"<li>{escape(flag['message'])}</li>" for flag in item["flags"])
                + "</ul>",
            ]
            for item in flagged
        ]
        out.append(
            _table(
                f"{len(flagged)} flagged items and the reasons",
                ["Item", "p-value", "Item-rest r", "Why"],
                rows,
                text_columns=frozenset({0, 3}),
            )
        )
    else:
        out.append("<p>No item is flagged under the thresholds.</p>")

    decision = report.get("decision_consistency")
    if decision is not None:
        out.append('<h3 id="decisions">Decision consistency at the cut</h3>')
        band = decision["sem_band"]
        rows = [
            ["Cut score (pass if score ≥ cut)", _num(decision["cut"], 2)],
            ["Observed pass rate", _pct(decision.get("observed_pass_rate"))],
            ["Consistency (Livingston-Lewis)", _num(decision.get("consistency"))],
            ["Kappa (Livingston-Lewis)", _num(decision.get("kappa"))],
            ["Accuracy (Livingston-Lewis)", _num(decision.get("accuracy"))],
            ["False pass rate", _pct(decision.get("false_pass"))],
            ["False fail rate", _pct(decision.get("false_fail"))],
            ["Effective test length", _num(decision.get("effective_test_length"))],
        ]
        if "subkoviak" in decision:
            rows.append(["Consistency (Subkoviak)", _num(decision["subkoviak"]["consistency"])])
            rows.append(["Kappa (Subkoviak)", _num(decision["subkoviak"]["kappa"])])
        rows += [
            ["SEM", _num(band["sem"], 2)],
            ["Conditional SEM at the cut", _num(band["csem_at_cut"], 2)],
            [
                f"Candidates within ±{band['z']:g} SEM of the cut",
                f"{_num(band['n_within'])} ({_pct(band['proportion_within'])})",
            ],
        ]
        out.append(_table("Classification at the cut", ["Statistic", "Value"], rows))
        for note in decision["notes"]:
            out.append(f'<p class="muted">{escape(note)}</p>')

    irt = report.get("irt")
    if irt is not None:
        out.append('<h3 id="irt">IRT calibration</h3>')
        rows = [
            ["Model", escape("Rasch" if irt["model"] == "rasch" else "2PL")],
            ["Metric", escape(irt["metric"])],
            ["Estimation", escape(irt["estimation"])],
            ["Quadrature", escape(irt["quadrature"])],
            ["Converged", _num(irt["converged"])],
            ["Iterations", _num(irt["iterations"])],
            ["Log-likelihood", _num(irt["log_likelihood"], 2)],
            ["AIC / BIC", f"{_num(irt['aic'], 1)} / {_num(irt['bic'], 1)}"],
            ["Trait SD", _num(irt["theta_sd"])],
        ]
        out.append(_table("Calibration", ["Property", "Value"], rows))
        if irt["excluded_items"]:
            out.append(
                "<p>Not calibrated: "
                + "; ".join(
                    f"{escape(item)} ({escape(reason)})"
                    for item, reason in irt["excluded_items"].items()
                )
                + ".</p>"
            )
        if "test_information" in figures:
            out.append(_figure(figures["test_information"], "fig-information"))

    for comparison in report.get("dif", []):
        out.append(
            f'<h3 id="dif-{escape(comparison["focal"])}">Differential item functioning: '
            f"{escape(comparison['focal'])} (focal) against {escape(comparison['reference'])} "
            "(reference)</h3>"
        )
        rows = [
            [
                escape(entry["item_id"]),
                _num(entry["mh_d_dif"], 2),
                _num(entry["se"], 2),
                _num(entry["chi_square"], 2),
                _num(entry["p_value"], 4),
                (escape(entry["category"]) if entry["category"] else "&ndash;"),
            ]
            for entry in comparison["items"]
        ]
        out.append(
            _table(
                f"Mantel-Haenszel DIF, {comparison['n_reference']} reference and "
                f"{comparison['n_focal']} focal candidates (negative D-DIF: harder for the focal "
                "group)",
                ["Item", "MH D-DIF", "SE", "MH chi-square", "p", "ETS category"],
                rows,
            )
        )

    security = report.get("security")
    if security is not None:
        out.append('<h3 id="security">Exam security screening</h3>')
        out.append(
            "<p>These statistics point at response records worth a closer look. They are not "
            "evidence of misconduct by themselves.</p>"
        )
        person = security.get("person_fit")
        if person is not None:
            shown = person["flagged"][:25]
            out.append(
                f"<p>{person['n_flagged']} candidates have lz* below {person['threshold']:g} "
                f"({escape(person['statistic'])}).</p>"
            )
            if shown:
                out.append(
                    _table(
                        "Candidates with the most aberrant response patterns",
                        ["Candidate", "lz*"],
                        [[escape(row["candidate_id"]), _num(row["lz_star"], 2)] for row in shown],
                    )
                )
        similarity = security.get("similarity")
        if similarity is not None:
            out.append(
                f"<p>{similarity['n_flagged']} of {similarity['n_pairs']:,} pairs are flagged by "
                f"the {escape(similarity['method'])} at a family-wise level of "
                f"{similarity['alpha']:g}.</p>"
            )
            pairs = similarity["flagged"] or similarity["most_similar"][:5]
            if pairs:
                caption = (
                    "Flagged pairs"
                    if similarity["flagged"]
                    else "Most similar pairs (none flagged)"
                )
                out.append(
                    _table(
                        caption,
                        ["Candidates", "Identical", "Identical incorrect", "Expected", "z", "p"],
                        [
                            [
                                f"{escape(p['candidate_a'])} and {escape(p['candidate_b'])}",
                                _num(p["identical"]),
                                _num(p["identical_incorrect"])
                                if p["identical_incorrect"] >= 0
                                else "&ndash;",
                                _num(p["expected"], 1),
                                _num(p["z"], 2),
                                f"{p['p_value']:.2e}" if p["p_value"] is not None else "&ndash;",
                            ]
                            for p in pairs
                        ],
                    )
                )
    for note in report["notes"]:
        out.append(f'<p class="muted">{escape(note)}</p>')
    out.append("</section>")
    return out


def _item_section(index: int, item: Mapping[str, Any], figure: Drawing | None) -> list[str]:
    anchor = f"item-{index}"
    out = [
        f'<article class="item" aria-labelledby="{anchor}">'
        f'<h3 id="{anchor}">Item {escape(item["item_id"])}</h3>'
    ]
    rows = [
        ["Kind", escape(item["kind"])],
        ["Key", escape(item["key"]) if item["key"] else "&ndash;"],
        ["Maximum score", _num(item["max_score"])],
        ["p-value", _num(item["p_value"])],
        ["Point-biserial (total incl. item)", _num(item["point_biserial"])],
        ["Item-rest correlation", _num(item["item_rest_correlation"])],
        ["Biserial", _num(item["biserial"])],
        ["Discrimination index (upper minus lower 27%)", _num(item["discrimination_index"])],
        ["Alpha if item deleted", _num(item["alpha_if_deleted"])],
        ["Omitted / not reached", f"{_num(item['n_omitted'])} / {_num(item['n_not_reached'])}"],
    ]
    irt = item.get("irt")
    if irt is not None:
        if irt.get("a") is None:
            rows.append(["IRT", escape(str(irt.get("excluded", "not calibrated")))])
        else:
            rows += [
                ["IRT a (SE)", f"{_num(irt['a'])} ({_num(irt['se_a'])})"],
                ["IRT b (SE)", f"{_num(irt['b'])} ({_num(irt['se_b'])})"],
                [
                    "S-X² (df, p)",
                    f"{_num(irt['s_x2'], 2)} ({_num(irt['s_x2_df'])}, {_num(irt['s_x2_p'])})",
                ],
                ["Infit / outfit", f"{_num(irt['infit'], 2)} / {_num(irt['outfit'], 2)}"],
            ]
    out.append(_table(f"Statistics of item {item['item_id']}", ["Statistic", "Value"], rows))
    out.append("<h4>Flags</h4>")
    if item["flags"]:
        out.append(
            '<ul class="flags">'
            + "".join(f"<li>{escape(flag['message'])}</li>" for flag in item["flags"])
            + "</ul>"
        )
    else:
        out.append("<p>None.</p>")
    for note in item["notes"]:
        out.append(f'<p class="muted">{escape(note)}</p>')
    options = item.get("options")
    if options:
        n_groups = len(options[0]["by_group"])
        headers = [
            "Option",
            "Chosen",
            "Proportion",
            "Upper 27%",
            "Lower 27%",
            "Discrimination",
            "Option-rest r",
            "Mean total",
            *[f"Group {g + 1}" for g in range(n_groups)],
        ]
        rows2 = [
            [
                escape(option["option"]) + (" (key)" if option["is_key"] else ""),
                _num(option["count"]),
                _pct(option["proportion"]),
                _pct(option["upper"]),
                _pct(option["lower"]),
                _num(option["discrimination"]),
                _num(option["rest_correlation"]),
                _num(option["mean_total"], 1),
                *[_pct(value) for value in option["by_group"]],
            ]
            for option in options
        ]
        classes = ["key" if option["is_key"] else "" for option in options]
        out.append(
            _table(
                f"Distractor analysis of item {item['item_id']} (groups ordered from low to high "
                "total score)",
                headers,
                rows2,
                row_classes=classes,
            )
        )
    if figure is not None:
        out.append(_figure(figure, f"fig-{anchor}"))
    out.append("</article>")
    return out


def render_html(report: Mapping[str, Any], figures: Mapping[str, Drawing]) -> str:
    """The full HTML document for a report dictionary and its figures."""
    title = f"{report['title']}" + (f" — {report['source']}" if report["source"] else "")
    nav = "".join(
        f'<li><a href="#item-{index}">{escape(item["item_id"])}</a>'
        + (" (flagged)" if item["flags"] else "")
        + "</li>"
        for index, item in enumerate(report["items"])
    )
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        '<a class="skip" href="#main">Skip to the report</a>',
        f"<header><h1>{escape(report['title'])}</h1>",
        f'<p class="muted">{escape(report["source"])} · {report["n_candidates"]:,} candidates · '
        f"{report['n_items']} items</p></header>",
        '<main id="main">',
        *_summary(report, figures),
        '<section aria-labelledby="items-heading"><h2 id="items-heading">Items</h2>',
        f'<nav aria-label="Items"><ol>{nav}</ol></nav>',
    ]
    for index, item in enumerate(report["items"]):
        parts.extend(_item_section(index, item, figures.get(f"item:{index}")))
    parts.append("</section>")
    parts.append(_methods())
    parts.append("</main></body></html>\n")
    return "\n".join(parts)


def _methods() -> str:
    return (
        '<section aria-labelledby="methods"><h2 id="methods">Methods</h2><ul>'
        "<li>p-value: mean item score divided by the maximum. Point-biserial: correlation with "
        "the total score including the item; item-rest: excluding it.</li>"
        "<li>Coefficient alpha (Cronbach 1951); KR-20 and KR-21 (Kuder &amp; Richardson 1937); "
        "SEM = SD &times; &radic;(1 &minus; alpha); conditional SEM by Lord's (1957) binomial error model.</li>"
        "<li>Discrimination index: proportion correct in the upper minus the lower 27% "
        "(Kelley 1939).</li>"
        "<li>Decision consistency and accuracy: Livingston &amp; Lewis (1995); Subkoviak "
        "(1976).</li>"
        "<li>IRT: marginal maximum likelihood (Bock &amp; Aitkin 1981) on the logistic metric; "
        "item fit S-X² (Orlando &amp; Thissen 2000).</li>"
        "<li>DIF: Mantel-Haenszel D-DIF with the ETS A/B/C rules (Holland &amp; Thayer 1988; "
        "Zwick 2012).</li>"
        "<li>Person fit: lz* (Snijders 2001). Answer similarity: generalized binomial test "
        "(van der Linden &amp; Sotaridona 2006).</li>"
        "</ul></section>"
    )

"""Running the psychometrics engine on a form's recorded responses (clause 9.3.5).

An analysis is reproducible: it keeps which administrations and which options it used, so the
HTML and PDF reports (with figures) are rendered again from the same data on request instead of
being stored. Its item figures are recorded as `ItemStatistics`, so they show beside each item.

Error codes: `ItemBankError` (409) ``no_responses``, ``analysis_failed``; `ItemInputError` (422)
``bad_thresholds``, ``invalid_model``, ``invalid_grouping``, ``administration_of_other_form``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.accounts.roles import RoleCode
from peritus.audit_trail.services import record_event, record_standalone_event
from peritus.itembank.errors import ItemBankError, ItemInputError
from peritus.itembank.models import ExamForm, ItemStatistics
from peritus.itembank.services.items import require_item_role
from peritus.itembank.statistics.events import StatisticsEvent
from peritus.itembank.statistics.models import (
    AnalysisModel,
    CandidateResponse,
    DifGrouping,
    FormAdministration,
    FormAnalysis,
)
from peritus.itembank.statistics.responses import FormItem, scored_responses
from peritus.itembank.statistics.selectors import analysis_cut, form_items_of
from peritus.psychometrics import (
    ExamAnalysis,
    FlagThresholds,
    PsychometricsError,
    PsychometricsInputError,
    analyze_exam,
)

MIN_CANDIDATES_2PL = int(getattr(settings, "PERITUS_STATISTICS_MIN_CANDIDATES_2PL", 500))
MIN_CANDIDATES_RASCH = int(getattr(settings, "PERITUS_STATISTICS_MIN_CANDIDATES_RASCH", 100))
MIN_DIF_GROUP = int(getattr(settings, "PERITUS_STATISTICS_MIN_DIF_GROUP", 30))


def checked_thresholds(values: Any) -> FlagThresholds:
    if not isinstance(values, dict):
        raise ItemInputError("bad_thresholds", _("The flag thresholds must be a JSON object."))
    try:
        return FlagThresholds.from_mapping(values)
    except PsychometricsInputError as error:
        raise ItemInputError("bad_thresholds", error.message) from None


def choose_model(requested: str, candidates: int) -> tuple[str, str]:
    """The model to fit for `candidates`, and a note when it differs from the request."""
    if requested not in AnalysisModel.values:
        raise ItemInputError("invalid_model", _("Choose none, Rasch, 2PL or automatic."))
    if requested == AnalysisModel.AUTO:
        if candidates >= MIN_CANDIDATES_2PL:
            return AnalysisModel.TWO_PL, ""
        if candidates >= MIN_CANDIDATES_RASCH:
            return AnalysisModel.RASCH, (
                f"2PL needs at least {MIN_CANDIDATES_2PL} candidates; the Rasch model was fitted"
            )
        return AnalysisModel.NONE, (
            f"IRT needs at least {MIN_CANDIDATES_RASCH} candidates; classical statistics only"
        )
    return requested, ""


@dataclasses.dataclass(frozen=True)
class EngineRun:
    analysis: ExamAnalysis
    items: list[FormItem]
    model_used: str
    cut_points: Decimal | None
    engine_cut: float | None
    pass_rate: float | None
    notes: tuple[str, ...]


def _group_labels(
    responses: Sequence[CandidateResponse], grouping: str, sources: dict[int, str]
) -> dict[str, str]:
    labels: dict[str, str] = {}
    for row in responses:
        key = f"{row.administration_id}:{row.candidate_code}"
        if grouping == DifGrouping.SOURCE:
            labels[key] = sources[row.administration_id]
        elif grouping == DifGrouping.LANGUAGE and row.application is not None:
            labels[key] = row.application.assessment_language
        elif grouping == DifGrouping.RECORDED and row.group:
            labels[key] = row.group
    return labels


def engine_run(
    form: ExamForm,
    administrations: Sequence[FormAdministration],
    *,
    model: str,
    dif_grouping: str,
    thresholds: FlagThresholds,
    model_is_final: bool = False,
) -> EngineRun:
    """Score the administrations' responses and run the engine (no database writes)."""
    if dif_grouping not in DifGrouping.values:
        raise ItemInputError("invalid_grouping", _("Choose how candidates are grouped for DIF."))
    items = form_items_of(form)
    rows = list(
        CandidateResponse.objects.filter(administration__in=administrations)
        .select_related("application")
        .order_by("administration_id", "pk")
    )
    if not rows:
        raise ItemBankError("no_responses", _("No responses are recorded for this form yet."))
    notes: list[str] = []
    responses = scored_responses(
        items, [(f"{row.administration_id}:{row.candidate_code}", row.answers) for row in rows]
    )
    model_used, note = (model, "") if model_is_final else choose_model(model, len(rows))
    if note:
        notes.append(note)
    form_points = sum((item.points for item in items), Decimal(0))
    engine_max = int(responses.max_scores.sum())
    cut_points = analysis_cut(form)
    engine_cut: float | None = None
    if cut_points is not None and form_points > 0:
        engine_cut = float(cut_points) * engine_max / float(form_points)
        if not math.isclose(float(form_points), engine_max):
            notes.append(
                f"the pass mark {cut_points} of {form_points} points was converted to "
                f"{engine_cut:.2f} on the analysis's raw score scale (maximum {engine_max})"
            )
        if not 0 < engine_cut <= engine_max:
            notes.append("the pass mark lies outside the score range; no decision analysis")
            engine_cut = None
    groups: dict[str, str] | None = None
    if dif_grouping != DifGrouping.NONE:
        sources = {a.pk: a.source for a in administrations}
        labels = _group_labels(rows, dif_grouping, sources)
        sizes: dict[str, int] = {}
        for label in labels.values():
            sizes[label] = sizes.get(label, 0) + 1
        large = {label for label, size in sizes.items() if size >= MIN_DIF_GROUP}
        if len(large) >= 2:
            groups = {key: label for key, label in labels.items() if label in large}
        else:
            notes.append(
                f"DIF not computed: it needs two groups of at least {MIN_DIF_GROUP} candidates"
            )
    kwargs: dict[str, Any] = {
        "cut": engine_cut, "groups": groups, "thresholds": thresholds,
        "title": f"Form {form.code}", "source": f"{len(administrations)} administration(s)",
    }  # fmt: skip
    try:
        analysis = analyze_exam(responses, model=model_used, **kwargs)  # type: ignore[arg-type]
    except PsychometricsInputError as error:
        raise ItemBankError("analysis_failed", error.message) from None
    except PsychometricsError as error:
        if model_used == AnalysisModel.NONE or model_is_final:
            raise ItemBankError("analysis_failed", error.message) from None
        notes.append(f"the {model_used} model could not be fitted ({error.message})")
        model_used = AnalysisModel.NONE
        analysis = analyze_exam(responses, model="none", **kwargs)
    pass_rate = None
    if engine_cut is not None:
        totals = analysis.classical.totals
        pass_rate = float((totals >= engine_cut - 1e-9).mean())
    return EngineRun(
        analysis=analysis, items=items, model_used=model_used, cut_points=cut_points,
        engine_cut=engine_cut, pass_rate=pass_rate, notes=tuple(notes),
    )  # fmt: skip


def _bounded(value: Any, low: float, high: float) -> float | None:
    if value is None or not math.isfinite(float(value)):
        return None
    return min(max(float(value), low), high)


def _run_form_analysis(
    *,
    form: ExamForm,
    actor: Any,
    model: str = AnalysisModel.AUTO,
    dif_grouping: str = DifGrouping.NONE,
    thresholds: dict[str, Any] | None = None,
    administration_ids: Sequence[int] | None = None,
    until: dt.date | None = None,
) -> FormAnalysis:
    form = ExamForm.objects.select_related("blueprint__bank").get(pk=form.pk)
    require_item_role(actor, RoleCode.PSYCHOMETRICIAN, form.blueprint.bank)
    limits = checked_thresholds(thresholds or {})
    chosen = form.administrations.order_by("administered_on", "pk")
    if until is not None:  # the scheduled job catching up analyses what was known that day
        chosen = chosen.filter(administered_on__lte=until)
    administrations = list(chosen)
    if administration_ids is not None:
        wanted = set(administration_ids)
        if not wanted <= {a.pk for a in administrations}:
            raise ItemInputError(
                "administration_of_other_form",
                _("An administration chosen does not belong to this form."),
            )
        administrations = [a for a in administrations if a.pk in wanted]
    if not administrations:
        raise ItemBankError("no_responses", _("No responses are recorded for this form yet."))
    run = engine_run(form, administrations, model=model, dif_grouping=dif_grouping,
                     thresholds=limits)  # fmt: skip
    report = run.analysis.to_dict()
    report["notes"] = [*report.get("notes", []), *run.notes]
    report["peritus"] = {
        "form": form.code, "pass_mark": str(run.cut_points) if run.cut_points is not None else None,
        "engine_cut": run.engine_cut, "pass_rate": run.pass_rate, "model_used": run.model_used,
        "positions": {item.identifier: item.position for item in run.items},
    }  # fmt: skip
    test = report["test"]
    decision = report.get("decision_consistency") or {}
    consistency = decision.get("consistency")
    if consistency is None:
        consistency = (decision.get("subkoviak") or {}).get("consistency")
    now = timezone.now()
    analysis = FormAnalysis.objects.create(
        form=form, run_by=actor, candidate_count=int(report["n_candidates"]), model_requested=model,
        model_used=run.model_used, cut=run.cut_points, dif_grouping=dif_grouping,
        thresholds=limits.to_dict(), report=report, alpha=test.get("alpha"), sem=test.get("sem"),
        mean=test.get("mean"), sd=test.get("sd_ddof"), pass_rate=run.pass_rate,
        decision_consistency=consistency, flagged_items=int(report["flags"]["n_items_flagged"]),
    )  # fmt: skip
    analysis.administrations.set(administrations)
    source = f"{form.code} analysis {analysis.pk} ({run.model_used})"[:100]
    by_identifier = {entry["item_id"]: entry for entry in report["items"]}
    ItemStatistics.objects.bulk_create(
        ItemStatistics(
            item_version_id=item.version_id, n=analysis.candidate_count, computed_at=now,
            source=source, p_value=_bounded(by_identifier[item.identifier]["p_value"], 0, 1),
            point_biserial=_bounded(by_identifier[item.identifier]["point_biserial"], -1, 1),
            irt_a=(by_identifier[item.identifier].get("irt") or {}).get("a"),
            irt_b=(by_identifier[item.identifier].get("irt") or {}).get("b"),
        )
        for item in run.items
    )  # fmt: skip
    record_event(
        StatisticsEvent.ANALYSIS_RUN, actor=actor, subject=analysis,
        related=[form, *(("itembank.itemversion", item.version_id) for item in run.items)],
        data={"form": form.code, "candidates": analysis.candidate_count, "model": run.model_used,
              "administrations": len(administrations), "flagged_items": analysis.flagged_items},
    )  # fmt: skip
    return analysis


@transaction.atomic(durable=True)
def run_form_analysis(
    *,
    form: ExamForm,
    actor: Any,
    model: str = AnalysisModel.AUTO,
    dif_grouping: str = DifGrouping.NONE,
    thresholds: dict[str, Any] | None = None,
    administration_ids: Sequence[int] | None = None,
) -> FormAnalysis:
    """Analyse the form's responses (all administrations unless chosen) and record the item
    statistics beside each item."""
    return _run_form_analysis(form=form, actor=actor, model=model, dif_grouping=dif_grouping,
                              thresholds=thresholds, administration_ids=administration_ids)  # fmt: skip


def rerun(analysis: FormAnalysis) -> EngineRun:
    """The engine's analysis behind a stored one, computed again from the same data."""
    return engine_run(
        analysis.form,
        list(analysis.administrations.order_by("administered_on", "pk")),
        model=analysis.model_used,
        dif_grouping=analysis.dif_grouping,
        thresholds=FlagThresholds.from_mapping(analysis.thresholds),
        model_is_final=True,
    )


def export_analysis_report(*, actor: Any, analysis: FormAnalysis, kind: str) -> bytes:
    """The engine's report of a stored analysis: `json` as stored, or `html` / `pdf` rendered
    again with figures. Audited: the report holds the keys of the form's items (7.4)."""
    from peritus.psychometrics.report_html import render_html
    from peritus.psychometrics.report_pdf import render_pdf

    form = analysis.form
    require_item_role(actor, RoleCode.PSYCHOMETRICIAN, form.blueprint.bank)
    if kind not in {"html", "pdf", "json"}:
        raise ItemInputError("invalid", _("Export the report as HTML, PDF or JSON."))
    if kind == "json":
        data = (json.dumps(analysis.report, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    else:
        run = rerun(analysis)
        report = run.analysis.to_dict()
        report["notes"] = [*report.get("notes", []), *run.notes]
        figures = run.analysis.figures()
        data = (
            render_html(report, figures).encode("utf-8")
            if kind == "html"
            else render_pdf(report, figures)
        )
    record_standalone_event(
        StatisticsEvent.REPORT_EXPORTED, actor=actor, subject=analysis, related=[form],
        data={"form": form.code, "kind": kind},
    )  # fmt: skip
    return data

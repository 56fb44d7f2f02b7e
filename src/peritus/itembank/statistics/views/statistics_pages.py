"""A bank's and a form's statistics: responses, paper answer sheets, analyses and their reports.

For psychometricians of the scheme only (item-level figures show keys); 404 for everyone else.
The engine's own HTML report holds inline styles, which the office's Content-Security-Policy
forbids: it is offered as a download, and the pages here render the same report from its JSON
with the figures' CSS turned into SVG presentation attributes (`statistics.svg`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from peritus.accounts.requests import actor_of
from peritus.core.errors import DomainError
from peritus.itembank.statistics import selectors, services
from peritus.itembank.statistics.forms import (
    AnalysisForm,
    AnswerSheetsForm,
    OpenReviewForm,
    PolicyForm,
)
from peritus.itembank.statistics.models import FormAnalysis
from peritus.itembank.statistics.services.analyses import rerun
from peritus.itembank.statistics.services.reviews import review_due_for
from peritus.itembank.statistics.svg import presentation_svg
from peritus.itembank.statistics.views.access import bank_for, form_for, may

REPORT_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf",
                "json": "application/json"}  # fmt: skip


def _policy_initial(policy: selectors.EffectivePolicy) -> dict[str, Any]:
    import json

    return {
        "interval_months": policy.interval_months,
        "interval_administrations": policy.interval_administrations,
        "completion_days": policy.completion_days, "model": policy.model,
        "dif_grouping": policy.dif_grouping,
        "thresholds": json.dumps(policy.thresholds) if policy.thresholds else "",
    }  # fmt: skip


def _save_policy(request: HttpRequest, form: PolicyForm, bank: Any, exam_form: Any) -> bool:
    data = form.cleaned_data
    try:
        services.set_review_policy(
            actor=actor_of(request), bank=bank, form=exam_form,
            interval_months=data.get("interval_months"),
            interval_administrations=data.get("interval_administrations"),
            completion_days=data["completion_days"], model=data["model"],
            dif_grouping=data["dif_grouping"], thresholds=data.get("thresholds") or {},
        )  # fmt: skip
    except DomainError as error:
        form.add_error(None, error.message)
        return False
    messages.success(request, _("The review policy is saved."))
    return True


@require_http_methods(["GET", "POST"])
def bank_statistics(request: HttpRequest, slug: str) -> HttpResponse:
    """The bank's frozen forms: administrations, reviews due or overdue, pass rule, release."""
    bank = bank_for(request, slug)
    row = selectors.get_policy_row(bank)
    policy = PolicyForm(
        request.POST or None,
        initial=_policy_initial(
            selectors.EffectivePolicy(
                interval_months=row.interval_months, interval_administrations=row.interval_administrations,
                completion_days=row.completion_days, model=row.model, dif_grouping=row.dif_grouping,
                thresholds=row.thresholds,
            ) if row is not None else selectors.EffectivePolicy()
        ),
    )  # fmt: skip
    may_set = may(request, "itembank.set_review_policy", bank)
    if request.method == "POST":
        if not may_set:
            raise Http404
        if policy.is_valid() and _save_policy(request, policy, bank, None):
            return redirect("itembank:statistics-bank", bank.slug)
    return render(
        request,
        "itembank/statistics/bank.html",
        {"bank": bank, "overview": selectors.bank_overview(bank), "today": timezone.localdate(),
         "policy_form": policy, "policy_row": row, "may_set_policy": may_set},
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def form_statistics(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """One form: its pass rule and release, review, administrations, analyses, studies."""
    bank = bank_for(request, slug)
    exam_form = form_for(request, bank, code)
    actor = actor_of(request)
    run_form = AnalysisForm(
        request.POST if request.POST.get("action") == "run" else None,
        initial={"model": selectors.effective_policy(exam_form).model,
                 "dif_grouping": selectors.effective_policy(exam_form).dif_grouping},
    )  # fmt: skip
    open_form = OpenReviewForm(request.POST if request.POST.get("action") == "review" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "run" and run_form.is_valid():
                analysis = services.run_form_analysis(
                    form=exam_form, actor=actor, model=run_form.cleaned_data["model"],
                    dif_grouping=run_form.cleaned_data["dif_grouping"],
                    thresholds=selectors.effective_policy(exam_form).thresholds,
                )  # fmt: skip
                messages.success(request, _("The statistics are computed."))
                return redirect("itembank:statistics-analysis", bank.slug, exam_form.code,
                                analysis.pk)  # fmt: skip
            if action == "review" and open_form.is_valid():
                review = services.open_statistics_review(
                    actor=actor, form=exam_form, due_on=open_form.cleaned_data.get("due_on")
                )
                messages.success(request, _("A review of the statistics is open."))
                return redirect("itembank:statistics-review", review.pk)
            if action == "release":
                services.release_form_for_use(actor=actor, form=exam_form)
                messages.success(request, _("The form is released for use."))
                return redirect("itembank:statistics-form", bank.slug, exam_form.code)
            if action not in {"run", "review", "release"}:
                raise Http404
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("itembank:statistics-form", bank.slug, exam_form.code)
    today = timezone.localdate()
    policy = selectors.effective_policy(exam_form)
    return render(
        request,
        "itembank/statistics/form.html",
        {
            "bank": bank, "exam_form": exam_form, "today": today, "policy": policy,
            "administrations": selectors.list_administrations(exam_form),
            "analyses": selectors.list_analyses(exam_form),
            "open_review": selectors.get_open_review(exam_form),
            "reviews": selectors.list_reviews_of_form(exam_form)[:10],
            "due": review_due_for(exam_form, today=today),
            "approved_study": selectors.get_approved_study(exam_form),
            "active_study": selectors.get_active_study(exam_form),
            "studies": selectors.list_studies_of_form(exam_form),
            "released": selectors.is_released(exam_form),
            "run_form": run_form, "open_form": open_form,
            "may_record": may(request, "itembank.record_form_responses", exam_form),
            "may_run": may(request, "itembank.run_form_analysis", exam_form),
            "may_open_review": may(request, "itembank.open_statistics_review", exam_form),
            "may_release": may(request, "itembank.release_form", exam_form),
            "may_study": may(request, "itembank.manage_standard_setting", exam_form),
        },
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def form_policy(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """A review policy of this form only (it overrides the bank's)."""
    bank = bank_for(request, slug)
    exam_form = form_for(request, bank, code, perm="itembank.set_review_policy")
    policy = PolicyForm(
        request.POST or None, initial=_policy_initial(selectors.effective_policy(exam_form))
    )
    if (
        request.method == "POST"
        and policy.is_valid()
        and _save_policy(request, policy, bank, exam_form)
    ):
        return redirect("itembank:statistics-form", bank.slug, exam_form.code)
    return render(
        request,
        "itembank/statistics/policy.html",
        {"bank": bank, "exam_form": exam_form, "policy_form": policy,
         "source": selectors.effective_policy(exam_form).source},
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def import_sheets(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """Paper answer sheets: all or nothing, every problem listed with its line."""
    bank = bank_for(request, slug)
    exam_form = form_for(request, bank, code, perm="itembank.record_form_responses")
    upload = AnswerSheetsForm(request.POST or None, request.FILES or None)
    problems: list[Any] = []
    if request.method == "POST" and upload.is_valid():
        data = upload.cleaned_data
        try:
            administration = services.import_answer_sheets(
                form=exam_form, administered_on=data["administered_on"],
                data=data["sheets"].read(), actor=actor_of(request), reference=data["reference"],
            )  # fmt: skip
        except services.AnswerSheetsRefused as refusal:
            problems = refusal.problems
            upload.add_error(None, refusal.message)
        except DomainError as error:
            upload.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(n)d answer sheets recorded.") % {"n": administration.candidate_count},
            )
            return redirect("itembank:statistics-form", bank.slug, exam_form.code)
    items = selectors.form_items_of(exam_form)
    return render(
        request,
        "itembank/statistics/import.html",
        {"bank": bank, "exam_form": exam_form, "upload": upload, "problems": problems,
         "header": ",".join(["candidate_id", *(item.identifier for item in items)])},
    )  # fmt: skip


def _analysis(request: HttpRequest, slug: str, code: str, analysis_id: int) -> FormAnalysis:
    bank = bank_for(request, slug)
    exam_form = form_for(request, bank, code)
    try:
        return selectors.get_analysis(exam_form, analysis_id)
    except FormAnalysis.DoesNotExist:
        raise Http404 from None


def analysis_detail(request: HttpRequest, slug: str, code: str, analysis_id: int) -> HttpResponse:
    """The report of one analysis, rendered from its JSON."""
    analysis = _analysis(request, slug, code, analysis_id)
    report = analysis.report
    positions = (report.get("peritus") or {}).get("positions", {})
    items = [{**item, "position": positions.get(item["item_id"])} for item in report["items"]]
    return render(
        request,
        "itembank/statistics/analysis.html",
        {"bank": analysis.form.blueprint.bank, "exam_form": analysis.form, "analysis": analysis,
         "report": report, "items": items, "decision": report.get("decision_consistency"),
         "security": report.get("security") or {}, "dif": report.get("dif") or [],
         "administrations": analysis.administrations.order_by("administered_on")},
    )  # fmt: skip


def analysis_item(
    request: HttpRequest, slug: str, code: str, analysis_id: int, identifier: str
) -> HttpResponse:
    """One item of an analysis with its curves (computed again from the same responses)."""
    analysis = _analysis(request, slug, code, analysis_id)
    items = analysis.report["items"]
    index = next((n for n, item in enumerate(items) if item["item_id"] == identifier), None)
    if index is None:
        raise Http404
    figure = rerun(analysis).analysis.figures().get(f"item:{index}")
    svg = mark_safe(presentation_svg(figure.svg(f"item-{index}"))) if figure else ""  # noqa: S308 - our own figure, CSS turned into attributes, scripting refused
    return render(
        request,
        "itembank/statistics/analysis_item.html",
        {"bank": analysis.form.blueprint.bank, "exam_form": analysis.form, "analysis": analysis,
         "item": items[index], "figure": svg,
         "description": figure.description if figure else "",
         "previous": items[index - 1]["item_id"] if index > 0 else None,
         "next": items[index + 1]["item_id"] if index + 1 < len(items) else None},
    )  # fmt: skip


def analysis_report(
    request: HttpRequest, slug: str, code: str, analysis_id: int, kind: str
) -> HttpResponse:
    """The engine's full report as a download (its HTML carries inline styles: never served
    as an office page)."""
    if kind not in REPORT_TYPES:
        raise Http404
    analysis = _analysis(request, slug, code, analysis_id)
    try:
        data = services.export_analysis_report(
            actor=actor_of(request), analysis=analysis, kind=kind
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("itembank:statistics-analysis", slug, code, analysis.pk)
    response = HttpResponse(data, content_type=REPORT_TYPES[kind])
    filename = f"{analysis.form.code}-statistics-{analysis.pk}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response

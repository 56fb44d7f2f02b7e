"""The dashboard of exam statistics reviews and studies, and one review (the 9.3.5 evidence).

Readers are psychometricians, the scheme's manager and committee, quality managers and
accreditation assessors of the scheme: they see conclusions, figures and item identifiers,
never item text or keys. Psychometricians close reviews.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from peritus.accounts.requests import actor_of
from peritus.core.errors import DomainError
from peritus.itembank.statistics import selectors, services
from peritus.itembank.statistics.forms import CloseReviewForm
from peritus.itembank.statistics.models import ReviewStatus, StudyStatus
from peritus.itembank.statistics.rules import CUT_SCORE_APPROVER_ROLES, REVIEW_READER_ROLES
from peritus.itembank.statistics.views.access import may, review_for


def dashboard(request: HttpRequest) -> HttpResponse:
    """Reviews open, overdue and closed, and standard-setting studies, of the user's schemes."""
    schemes = selectors.scheme_ids_with(
        request.user, (*REVIEW_READER_ROLES, *CUT_SCORE_APPROVER_ROLES)
    )
    if schemes is not None and not schemes:
        raise PermissionDenied(
            _(
                "Exam statistics are for psychometricians, scheme committees, quality managers "
                "and accreditation assessors."
            )
        )
    today = timezone.localdate()
    reviews = selectors.list_reviews_for(request.user)
    open_reviews = list(reviews.filter(status=ReviewStatus.OPEN))
    studies = list(selectors.list_studies_for(request.user).order_by("-created_at")[:50])
    return render(
        request,
        "itembank/statistics/dashboard.html",
        {
            "today": today,
            "overdue": [r for r in open_reviews if r.is_overdue(today)],
            "open_reviews": [r for r in open_reviews if not r.is_overdue(today)],
            "closed_reviews": reviews.filter(status=ReviewStatus.CLOSED)[:50],
            "awaiting": [s for s in studies if s.status == StudyStatus.COMPUTED],
            "studies": [s for s in studies if s.status != StudyStatus.COMPUTED],
        },
    )


@require_http_methods(["GET", "POST"])
def review_detail(request: HttpRequest, review_id: int) -> HttpResponse:
    review = review_for(request, review_id)
    form = review.form
    may_close = review.status == ReviewStatus.OPEN and may(
        request, "itembank.close_statistics_review", review
    )
    analyses = selectors.list_analyses(form)
    close = CloseReviewForm(
        request.POST or None, analyses=analyses,
        initial={"analysis": review.analysis or analyses.first()},
    )  # fmt: skip
    if request.method == "POST":
        if not may_close:
            raise PermissionDenied
        if close.is_valid():
            data = close.cleaned_data
            try:
                services.close_statistics_review(
                    actor=actor_of(request), review=review, conclusion=data["conclusion"],
                    summary=data["summary"], findings=close.findings(), analysis=data["analysis"],
                    corrective_action_required=data["corrective_action_required"],
                    corrective_action=data.get("corrective_action") or "",
                )  # fmt: skip
            except DomainError as error:
                close.add_error(None, error.message)
            else:
                messages.success(request, _("The review is closed with its conclusion."))
                return redirect("itembank:statistics-review", review.pk)
    report = review.analysis.report if review.analysis is not None else {}
    return render(
        request,
        "itembank/statistics/review.html",
        {
            "review": review, "exam_form": form, "bank": form.blueprint.bank,
            "today": timezone.localdate(), "report": report,
            "decision": report.get("decision_consistency") if report else None,
            "findings": review.findings.select_related("item_version__item"),
            "close": close if may_close else None,
            "may_see_items": may(request, "itembank.view_form_statistics", form),
        },
    )  # fmt: skip

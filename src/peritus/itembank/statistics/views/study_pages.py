"""Standard-setting studies: opening one, running its rounds, deciding on the cut; and the
judge's own pages, where they declare their interests and rate the items of that study only."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from peritus.accounts.requests import actor_of
from peritus.core.errors import DomainError
from peritus.itembank.models import ExamForm
from peritus.itembank.qti.content import content_from_dict
from peritus.itembank.qti.markup import flow_to_text, inline_to_text
from peritus.itembank.statistics import selectors, services
from peritus.itembank.statistics.forms import (
    ComputeForm,
    DecisionForm,
    DeclarationForm,
    RatingForm,
    ReasonForm,
    RoundForm,
    StudyForm,
)
from peritus.itembank.statistics.models import (
    ACTIVE_STUDY_STATUSES,
    AngoffRating,
    StandardSettingStudy,
    StudyJudge,
    StudyRound,
    StudyStatus,
)
from peritus.itembank.statistics.views.access import (
    bank_for,
    form_for,
    may,
    study_for,
)


@require_http_methods(["GET", "POST"])
def study_create(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    bank = bank_for(request, slug)
    exam_form = form_for(request, bank, code, perm="itembank.manage_standard_setting")
    form = StudyForm(
        request.POST or None,
        eligible=selectors.eligible_judges(exam_form, exclude=request.user),
        initial={"max_rounds": 2, "collect_compromise": True},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            study = services.open_standard_setting_study(
                actor=actor_of(request), form=exam_form, judges=list(data["judges"]),
                candidate_description=data["candidate_description"],
                max_rounds=data["max_rounds"], collect_compromise=data["collect_compromise"],
            )  # fmt: skip
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The study is open. Open round 1 when the panel is ready."))
            return redirect("itembank:study-detail", study.pk)
    return render(
        request,
        "itembank/statistics/study_create.html",
        {"bank": bank, "exam_form": exam_form, "form": form},
    )


GAP_SHOWN = "______"  # where an inline answer goes, as a judge reads the item
FACILITATOR_ACTIONS = frozenset({"round", "close_round", "compute", "remove_judge", "cancel"})


def _impacts(study: StandardSettingStudy) -> list[StudyRound]:
    return list(StudyRound.objects.filter(study=study).order_by("number"))


def _study_action(request: HttpRequest, study: StandardSettingStudy) -> str:
    """Run the posted action; returns the message to show."""
    actor = actor_of(request)
    action = request.POST.get("action", "")
    if action in FACILITATOR_ACTIONS and not may(
        request, "itembank.manage_standard_setting", study
    ):
        raise PermissionDenied
    if action == "release" and not may(request, "itembank.release_form", study.form):
        raise PermissionDenied
    if action == "round":
        round_form = RoundForm(request.POST)
        notes = round_form.cleaned_data["discussion_notes"] if round_form.is_valid() else ""
        opened = services.open_rating_round(actor=actor, study=study, discussion_notes=notes)
        return _("Round %(n)d is open; the judges are told.") % {"n": opened.number}
    if action == "close_round":
        services.close_rating_round(actor=actor, study=study)
        return _("The round is closed; its impact data are ready for the discussion.")
    if action == "compute":
        compute = ComputeForm(request.POST)
        if not compute.is_valid():
            raise DomainError("invalid", _("Check the pass mark."))
        services.compute_cut_score(
            actor=actor, study=study, pass_mark=compute.cleaned_data.get("pass_mark"),
            rationale=compute.cleaned_data.get("rationale") or "",
        )  # fmt: skip
        return _("The cut score is computed and proposed for approval.")
    if action == "decide":
        if not may(request, "itembank.decide_cut_score", study):
            raise PermissionDenied
        decision = DecisionForm(request.POST)
        if not decision.is_valid():
            raise DomainError("invalid", _("Choose a decision."))
        comment = decision.cleaned_data.get("comment") or ""
        if decision.cleaned_data["decision"] == "approve":
            services.approve_cut_score(actor=actor, study=study, comment=comment)
            return _("The cut score is approved: it is the form's pass rule.")
        services.reject_cut_score(actor=actor, study=study, comment=comment)
        return _("The cut score is sent back to the facilitator.")
    if action in {"remove_judge", "cancel"}:
        reason = ReasonForm(request.POST)
        text = reason.cleaned_data["reason"] if reason.is_valid() else ""
        if action == "cancel":
            services.cancel_study(actor=actor, study=study, reason=text)
            return _("The study is cancelled.")
        judge = StudyJudge.objects.filter(study=study, pk=request.POST.get("judge") or 0).first()
        if judge is None:
            raise Http404
        services.remove_judge(actor=actor, study=study, judge=judge, reason=text)
        return _("The judge left the panel.")
    if action == "release":
        services.release_form_for_use(actor=actor, form=study.form)
        return _("The form is released for use.")
    raise Http404


@require_http_methods(["GET", "POST"])
def study_detail(request: HttpRequest, study_id: int) -> HttpResponse:
    """The study as its facilitator, its approvers and its readers see it (no item text)."""
    study = study_for(request, study_id, view_perm="itembank.view_standard_setting")
    if request.method == "POST":
        try:
            messages.success(request, _study_action(request, study))
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("itembank:study-detail", study.pk)
    user = request.user
    facilitates = study.facilitator_id == user.pk and may(
        request, "itembank.manage_standard_setting", study
    )
    judges = list(selectors.list_judges(study))
    rounds = _impacts(study)
    items = {str(item.version_id): item for item in selectors.form_items_of(study.form)}
    return render(
        request,
        "itembank/statistics/study.html",
        {
            "study": study, "exam_form": study.form, "bank": study.form.blueprint.bank,
            "judges": judges, "rounds": rounds,
            "round_items": [
                (round_, [(items[key], values) for key, values in round_.impact.get("items", {}).items()
                          if key in items])
                for round_ in rounds if round_.impact
            ],
            "active_judges": [j for j in judges if j.active],
            "is_active": study.status in ACTIVE_STUDY_STATUSES,
            "facilitates": facilitates,
            "may_decide": study.status == StudyStatus.COMPUTED
            and may(request, "itembank.decide_cut_score", study),
            "may_release": study.status == StudyStatus.APPROVED
            and not selectors.is_released(study.form)
            and may(request, "itembank.release_form", study.form),
            "round_form": RoundForm(), "compute_form": ComputeForm(), "decision_form": DecisionForm(),
            "reason_form": ReasonForm(),
        },
    )  # fmt: skip


def my_studies(request: HttpRequest) -> HttpResponse:
    """The studies the user judges: their only way to the items of those studies."""
    return render(
        request,
        "itembank/statistics/my_studies.html",
        {"judgings": selectors.list_judging_for(request.user)},
    )


def _item_rows(form: ExamForm) -> list[dict[str, Any]]:
    rows = []
    entries = form.entries.select_related("item_version__item", "item_version__stimulus")
    for entry in entries.order_by("position"):
        version = entry.item_version
        content = content_from_dict(version.content)
        letters = {o.identifier: chr(65 + n) for n, o in enumerate(content.options)}
        rows.append({
            "position": entry.position, "version_id": version.pk,
            "identifier": version.item.identifier, "points": entry.points,
            "stem": flow_to_text(content.stem, gap_token=GAP_SHOWN),
            "prompt": inline_to_text(content.prompt),
            "stimulus": flow_to_text(version.stimulus.body) if version.stimulus else "",
            "options": [(letters[o.identifier], inline_to_text(o.text)) for o in content.options],
            "key": ", ".join(letters.get(value, value) for value in content.key),
        })  # fmt: skip
    return rows


@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, study_id: int) -> HttpResponse:
    """A judge's own page: declaration, then ratings of the open round, with the last round's
    impact data from round 2 on."""
    study = study_for(request, study_id, view_perm="itembank.rate_in_study")
    judge = selectors.get_judge(study, request.user)
    if judge is None:
        raise Http404
    rows = _item_rows(study.form)
    item_fields = [
        (row["version_id"], _("Item %(n)d: out of 100 borderline candidates, how many earn its "
                              "points?") % {"n": row["position"]})
        for row in rows
    ]  # fmt: skip
    saved = {
        r.item_version_id: r.rating
        for r in AngoffRating.objects.filter(judge=judge, round_number=study.current_round)
    }
    earlier = {
        r.item_version_id: r.rating
        for r in AngoffRating.objects.filter(judge=judge, round_number=study.current_round - 1)
    }
    initial: dict[str, Any] = {
        f"item-{vid}": saved.get(vid, earlier.get(vid)) for vid, _l in item_fields
    }
    for name in ("hofstee_min_cut", "hofstee_max_cut", "hofstee_min_fail", "hofstee_max_fail",
                 "beuk_cut", "beuk_pass_rate"):  # fmt: skip
        initial[name] = getattr(judge, name)
    action = request.POST.get("action", "")
    declaration = DeclarationForm(request.POST if action == "declare" else None)
    ratings = RatingForm(
        request.POST if action in {"save", "submit"} else None, initial=initial,
        item_fields=item_fields, compromise=study.collect_compromise,
    )  # fmt: skip
    if request.method == "POST":
        try:
            if action == "declare" and declaration.is_valid():
                services.declare_judge_interests(
                    actor=actor_of(request), study=study,
                    conflict=declaration.cleaned_data["conflict"],
                    note=declaration.cleaned_data.get("note") or "",
                )  # fmt: skip
                messages.success(request, _("Your declaration is recorded."))
                return redirect("itembank:judge-rate", study.pk)
            if action in {"save", "submit"} and ratings.is_valid():
                values = ratings.compromise_values()
                services.save_angoff_ratings(
                    actor=actor_of(request), study=study, ratings=ratings.ratings(),
                    compromise=services.CompromiseJudgements(**values) if values else None,
                    submit=action == "submit",
                )  # fmt: skip
                messages.success(
                    request,
                    _("Your ratings of round %(n)d are submitted.") % {"n": study.current_round}
                    if action == "submit" else _("Your ratings are saved."),
                )  # fmt: skip
                return redirect("itembank:judge-rate", study.pk)
            if action not in {"declare", "save", "submit"}:
                raise Http404
        except DomainError as error:
            (declaration if action == "declare" else ratings).add_error(None, error.message)
    last_round = (
        StudyRound.objects.filter(study=study, closed_at__isnull=False).order_by("-number").first()
    )
    impact = last_round.impact if last_round is not None else {}
    previous = {
        r.item_version_id: r.rating
        for r in AngoffRating.objects.filter(
            judge=judge, round_number=last_round.number if last_round else 0
        )
    }
    fields = {field.name: field for field in ratings.item_fields()}
    return render(
        request,
        "itembank/statistics/rate.html",
        {
            "study": study, "judge": judge, "declaration": declaration, "ratings": ratings,
            "rows": [
                {**row, "field": fields[f"item-{row['version_id']}"],
                 "impact": (impact.get("items") or {}).get(str(row["version_id"])),
                 "mine": previous.get(row["version_id"])}
                for row in rows
            ],
            "impact": impact, "last_round": last_round,
            "may_rate": study.status == StudyStatus.ROUND_OPEN and judge.declared_at is not None
            and not judge.conflict_declared and judge.rounds_submitted < study.current_round,
            "total_points": sum((row["points"] for row in rows), Decimal(0)),
        },
    )  # fmt: skip

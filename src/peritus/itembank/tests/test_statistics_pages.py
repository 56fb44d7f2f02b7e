"""The exam statistics pages: who sees what (psychometricians, readers of reviews, judges; never
trainers, invigilators or candidates), the CSP-safe report, paper sheets, closing a review."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_candidate, make_staff, office_client
from peritus.audit_trail.models import AuditEvent
from peritus.itembank.statistics.events import StatisticsEvent
from peritus.itembank.statistics.models import (
    FormAdministration,
    FormAnalysis,
    ReviewStatus,
    StandardSettingStudy,
    StatisticsReview,
)
from peritus.itembank.statistics.selectors import form_items_of
from peritus.itembank.statistics.services import open_statistics_review, run_form_analysis
from peritus.itembank.tests.statistics_factories import (
    FormSetup,
    make_approved_form,
    make_judges,
    record_simulated,
    run_study_to_proposal,
    sheet_csv,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup() -> FormSetup:
    return make_approved_form(n_items=5, pass_mark=Decimal(3))


@pytest.fixture
def analysis(setup: FormSetup) -> FormAnalysis:
    record_simulated(setup, candidates=120)
    return run_form_analysis(form=setup.form, actor=setup.psychometrician, model="rasch")


@pytest.fixture
def review(setup: FormSetup, analysis: FormAnalysis) -> StatisticsReview:
    return open_statistics_review(actor=setup.psychometrician, form=setup.form)


def _form_url(name: str, setup: FormSetup, *args: object) -> str:
    return reverse(f"itembank:{name}", args=[setup.bank.slug, setup.form.code, *args])


READERS = [
    ((RoleCode.PSYCHOMETRICIAN,), 200, 200),
    ((RoleCode.SCHEME_MANAGER,), 404, 200),
    ((RoleCode.SCHEME_COMMITTEE,), 404, 200),
    ((RoleCode.QUALITY_MANAGER,), 404, 200),
    ((RoleCode.ASSESSOR,), 404, 200),
    ((RoleCode.ITEM_AUTHOR,), 404, 404),
    ((RoleCode.EXAMINER,), 404, 404),
    ((RoleCode.INVIGILATOR,), 404, 404),
    ((RoleCode.PSYCHOMETRICIAN, RoleCode.INVIGILATOR), 404, 200),
    ((RoleCode.DECISION_MAKER,), 404, 404),
]


@pytest.mark.parametrize(("roles", "statistics", "reviews"), READERS)
def test_permission_matrix_of_form_statistics_and_reviews(
    client: Client,
    setup: FormSetup,
    review: StatisticsReview,
    analysis: FormAnalysis,
    roles: tuple[RoleCode, ...],
    statistics: int,
    reviews: int,
) -> None:
    user = make_staff(*roles, scheme=setup.scheme)
    browser = office_client(client, user)

    assert browser.get(_form_url("statistics-form", setup)).status_code == statistics
    assert (
        browser.get(_form_url("statistics-analysis", setup, analysis.pk)).status_code == statistics
    )
    page = browser.get(reverse("itembank:statistics-review", args=[review.pk]))
    assert page.status_code == reviews
    if reviews == 200:
        assert setup.form.code.encode() in page.content
        assert b"Short-lived" not in page.content  # never item text on a review


def test_readers_of_another_scheme_see_nothing(
    client: Client, setup: FormSetup, review: StatisticsReview
) -> None:
    assessor = make_staff(RoleCode.ASSESSOR, scheme=make_approved_form(n_items=2).scheme)

    response = office_client(client, assessor).get(
        reverse("itembank:statistics-review", args=[review.pk])
    )

    assert response.status_code == 404


def test_a_candidate_never_reaches_the_statistics(
    client: Client, setup: FormSetup, review: StatisticsReview
) -> None:
    client.force_login(make_candidate())

    for url in (
        reverse("itembank:statistics-dashboard"),
        reverse("itembank:statistics-review", args=[review.pk]),
        _form_url("statistics-form", setup),
        reverse("itembank:judge-studies"),
    ):
        assert client.get(url).status_code in {302, 403, 404}


def test_the_dashboard_shows_overdue_reviews_first(
    client: Client, setup: FormSetup, analysis: FormAnalysis
) -> None:
    yesterday = timezone.localdate()
    review = open_statistics_review(actor=setup.psychometrician, form=setup.form, due_on=yesterday)
    StatisticsReview.objects.filter(pk=review.pk).update(due_on=yesterday.replace(year=2020))
    assessor = make_staff(RoleCode.ASSESSOR, scheme=setup.scheme)

    response = office_client(client, assessor).get(reverse("itembank:statistics-dashboard"))

    assert response.status_code == 200
    assert b"1 review is overdue." in response.content


def test_people_without_a_reading_role_are_refused_the_dashboard(
    client: Client, setup: FormSetup
) -> None:
    examiner = make_staff(RoleCode.EXAMINER, scheme=setup.scheme)

    assert office_client(client, examiner).get(
        reverse("itembank:statistics-dashboard")
    ).status_code == 403  # fmt: skip


def test_the_analysis_page_renders_the_report_without_inline_styles_or_scripts(
    client: Client, setup: FormSetup, analysis: FormAnalysis
) -> None:
    browser = office_client(client, setup.psychometrician)
    first = analysis.report["items"][0]["item_id"]

    page = browser.get(_form_url("statistics-analysis", setup, analysis.pk))
    item = browser.get(_form_url("statistics-analysis-item", setup, analysis.pk, first))

    assert page.status_code == item.status_code == 200
    assert first.encode() in page.content
    assert b"<svg" in item.content
    for content in (page.content, item.content):
        assert b"style=" not in content
        assert b"<style" not in content
    assert "Content-Security-Policy" in item.headers


def test_the_engine_report_is_a_download_and_its_export_is_audited(
    client: Client, setup: FormSetup, analysis: FormAnalysis
) -> None:
    response = office_client(client, setup.psychometrician).get(
        _form_url("statistics-analysis-report", setup, analysis.pk, "html")
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert AuditEvent.objects.filter(event_type=StatisticsEvent.REPORT_EXPORTED).count() == 1
    assert office_client(client, setup.psychometrician).get(
        _form_url("statistics-analysis-report", setup, analysis.pk, "exe")
    ).status_code == 404  # fmt: skip


def test_running_the_analysis_from_the_form_page(client: Client, setup: FormSetup) -> None:
    record_simulated(setup, candidates=40)

    response = office_client(client, setup.psychometrician).post(
        _form_url("statistics-form", setup),
        {"action": "run", "model": "none", "dif_grouping": "none"},
    )

    analysis = FormAnalysis.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _form_url("statistics-analysis", setup, analysis.pk)


def test_paper_sheets_with_problems_are_listed_by_line_and_nothing_is_stored(
    client: Client, setup: FormSetup
) -> None:
    items = form_items_of(setup.form)
    bad = sheet_csv(items, [["S-1", "A", "B", "C", "D", "A"], ["S-2", "Q", "B", "C", "D", "A"]])
    upload = io.BytesIO(bad)
    upload.name = "sheets.csv"

    response = office_client(client, setup.psychometrician).post(
        _form_url("statistics-import", setup),
        {"sheets": upload, "administered_on": timezone.localdate().isoformat(), "reference": ""},
    )

    assert response.status_code == 200
    assert b"unknown_option" in response.content
    assert b'<td class="numeric">3</td>' in response.content
    assert FormAdministration.objects.count() == 0


def test_good_paper_sheets_are_recorded(client: Client, setup: FormSetup) -> None:
    items = form_items_of(setup.form)
    upload = io.BytesIO(sheet_csv(items, [["S-1", "A", "B", "C", "D", "A"]]))
    upload.name = "sheets.csv"

    response = office_client(client, setup.psychometrician).post(
        _form_url("statistics-import", setup),
        {"sheets": upload, "administered_on": timezone.localdate().isoformat(),
         "reference": "Hall B"},
    )  # fmt: skip

    assert response.status_code == 302
    assert FormAdministration.objects.get().reference == "Hall B"


def test_a_psychometrician_closes_a_review_from_its_page(
    client: Client, setup: FormSetup, review: StatisticsReview, analysis: FormAnalysis
) -> None:
    response = office_client(client, setup.psychometrician).post(
        reverse("itembank:statistics-review", args=[review.pk]),
        {"conclusion": "items_to_revise", "summary": "Item 2 is too easy.",
         "analysis": analysis.pk, "revise": setup.items[1].identifier, "retire": "",
         "key_change": "", "corrective_action": ""},
    )  # fmt: skip

    closed = StatisticsReview.objects.get(pk=review.pk)
    assert response.status_code == 302
    assert closed.status == ReviewStatus.CLOSED
    assert closed.findings.get().item_version.item == setup.items[1]


def test_an_assessor_reads_a_review_but_cannot_close_it(
    client: Client, setup: FormSetup, review: StatisticsReview, analysis: FormAnalysis
) -> None:
    assessor = make_staff(RoleCode.ASSESSOR, scheme=setup.scheme)
    url = reverse("itembank:statistics-review", args=[review.pk])
    browser = office_client(client, assessor)

    page = browser.get(url)
    post = browser.post(
        url, {"conclusion": "accepted", "summary": "Fine.", "analysis": analysis.pk}
    )

    assert b"Record the conclusion" not in page.content
    assert post.status_code == 403
    assert StatisticsReview.objects.get(pk=review.pk).status == ReviewStatus.OPEN


def test_the_bank_page_saves_the_review_policy(client: Client, setup: FormSetup) -> None:
    response = office_client(client, setup.psychometrician).post(
        reverse("itembank:statistics-bank", args=[setup.bank.slug]),
        {"interval_months": "6", "interval_administrations": "", "completion_days": "20",
         "model": "auto", "dif_grouping": "source", "thresholds": '{"p_min": 0.25}'},
    )  # fmt: skip

    assert response.status_code == 302
    policy = setup.bank.statistics_review_policies.get()
    assert (policy.interval_months, policy.dif_grouping, policy.thresholds) == (
        6, "source", {"p_min": 0.25},
    )  # fmt: skip


# ----------------------------------------------------------------------------------------------
# Standard setting pages
# ----------------------------------------------------------------------------------------------


@pytest.fixture
def judges(setup: FormSetup) -> list[User]:
    return make_judges(setup.scheme)


def test_a_judge_sees_the_items_of_their_study_only_through_their_rating_page(
    client: Client, setup: FormSetup, judges: list[User]
) -> None:
    from peritus.itembank.statistics.services import open_standard_setting_study

    study = open_standard_setting_study(
        actor=setup.psychometrician, form=setup.form, judges=judges,
        candidate_description="Handles leaked keys alone.",
    )  # fmt: skip
    examiner = judges[0]
    browser = office_client(client, examiner)

    rate = browser.get(reverse("itembank:judge-rate", args=[study.pk]))
    item_page = browser.get(
        reverse("itembank:item-detail", args=[setup.bank.slug, setup.items[0].identifier])
    )
    study_page = browser.get(reverse("itembank:study-detail", args=[study.pk]))

    assert rate.status_code == 200
    assert b"First, declare your interests" in rate.content
    assert item_page.status_code == 404
    assert study_page.status_code == 404


@pytest.mark.parametrize(
    ("roles", "status"),
    [
        ((RoleCode.EXAMINER,), 404),  # not on the panel
        ((RoleCode.PSYCHOMETRICIAN,), 404),
        ((RoleCode.INVIGILATOR,), 404),
    ],
)
def test_nobody_but_the_judges_opens_a_rating_page(
    client: Client, setup: FormSetup, judges: list[User], roles: tuple[RoleCode, ...], status: int
) -> None:
    study = run_study_to_proposal(setup, judges)
    user = make_staff(*roles, scheme=setup.scheme)

    response = office_client(client, user).get(reverse("itembank:judge-rate", args=[study.pk]))

    assert response.status_code == status


def test_a_judge_who_became_an_invigilator_loses_the_rating_page(
    client: Client, setup: FormSetup, judges: list[User]
) -> None:
    from peritus.accounts.tests.factories import grant_role

    study = run_study_to_proposal(setup, judges)
    grant_role(judges[0], RoleCode.INVIGILATOR, scheme=setup.scheme)

    response = office_client(client, judges[0]).get(reverse("itembank:judge-rate", args=[study.pk]))

    assert response.status_code == 404


def test_a_judge_declares_and_rates_through_the_pages(
    client: Client, setup: FormSetup, judges: list[User]
) -> None:
    from peritus.itembank.statistics.services import (
        open_rating_round,
        open_standard_setting_study,
    )

    study = open_standard_setting_study(
        actor=setup.psychometrician, form=setup.form, judges=judges,
        candidate_description="Handles leaked keys alone.", collect_compromise=False,
    )  # fmt: skip
    open_rating_round(actor=setup.psychometrician, study=study)
    browser = office_client(client, judges[0])
    url = reverse("itembank:judge-rate", args=[study.pk])

    browser.post(url, {"action": "declare", "conflict": "no", "note": ""})
    page = browser.get(url)
    ratings = {f"item-{item.version_id}": "65" for item in form_items_of(setup.form)}
    submitted = browser.post(url, {"action": "submit", **ratings})

    assert b"Short-lived credentials" in page.content  # the item, for the judge
    assert submitted.status_code == 302
    judge = study.judges.get(user=judges[0])
    assert judge.rounds_submitted == 1
    assert judge.ratings.count() == 5


def test_the_facilitator_cannot_approve_on_the_study_page_but_the_manager_can(
    client: Client, setup: FormSetup, judges: list[User]
) -> None:
    study = run_study_to_proposal(setup, judges)
    manager = make_staff(RoleCode.SCHEME_MANAGER, scheme=setup.scheme)
    url = reverse("itembank:study-detail", args=[study.pk])

    own = office_client(client, setup.psychometrician).get(url)
    refused = office_client(client, setup.psychometrician).post(
        url, {"action": "decide", "decision": "approve", "comment": ""}
    )
    approved = office_client(client, manager).post(
        url, {"action": "decide", "decision": "approve", "comment": "Sound panel."}
    )

    assert b"Decide on the cut score" not in own.content
    assert refused.status_code == 403
    assert approved.status_code == 302
    assert StandardSettingStudy.objects.get(pk=study.pk).status == "approved"


def test_an_assessor_reads_a_study_but_runs_nothing(
    client: Client, setup: FormSetup, judges: list[User]
) -> None:
    from peritus.itembank.statistics.services import open_standard_setting_study

    study = open_standard_setting_study(
        actor=setup.psychometrician, form=setup.form, judges=judges,
        candidate_description="Handles leaked keys alone.",
    )  # fmt: skip
    assessor = make_staff(RoleCode.ASSESSOR, scheme=setup.scheme)
    url = reverse("itembank:study-detail", args=[study.pk])

    page = office_client(client, assessor).get(url)
    post = office_client(client, assessor).post(url, {"action": "round"})

    assert page.status_code == 200
    assert b"Short-lived" not in page.content
    assert post.status_code == 403


def test_navigation_offers_statistics_to_readers_and_standard_setting_to_judges(
    setup: FormSetup, judges: list[User]
) -> None:
    from peritus.itembank.navigation import office_links
    from peritus.itembank.statistics.services import open_standard_setting_study

    open_standard_setting_study(
        actor=setup.psychometrician, form=setup.form, judges=judges,
        candidate_description="Handles leaked keys alone.",
    )  # fmt: skip
    assessor = make_staff(RoleCode.ASSESSOR, scheme=setup.scheme)

    assert [link.label for link in office_links(assessor)] == ["Exam statistics"]
    assert [link.label for link in office_links(judges[0])] == ["Standard setting"]
    assert [link.label for link in office_links(setup.psychometrician)] == [
        "Item bank", "Exam statistics",
    ]  # fmt: skip

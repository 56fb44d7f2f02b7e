"""URLs of exam statistics and standard setting (appended to `itembank.urls`)."""

from django.urls import path

from peritus.itembank.statistics.views import review_pages, statistics_pages, study_pages

B = "office/itembank/<slug:slug>/"
F = B + "forms/<str:code>/"
A = F + "statistics/analyses/<int:analysis_id>/"

urlpatterns = [
    path(B + "statistics/", statistics_pages.bank_statistics, name="statistics-bank"),
    path(F + "statistics/", statistics_pages.form_statistics, name="statistics-form"),
    path(F + "statistics/policy/", statistics_pages.form_policy, name="statistics-form-policy"),
    path(F + "statistics/answer-sheets/", statistics_pages.import_sheets, name="statistics-import"),
    path(A, statistics_pages.analysis_detail, name="statistics-analysis"),
    path(
        A + "items/<str:identifier>/",
        statistics_pages.analysis_item,
        name="statistics-analysis-item",
    ),
    path(
        A + "report.<str:kind>",
        statistics_pages.analysis_report,
        name="statistics-analysis-report",
    ),
    path(F + "standard-setting/new/", study_pages.study_create, name="study-create"),
    path("office/exam-statistics/", review_pages.dashboard, name="statistics-dashboard"),
    path(
        "office/exam-statistics/reviews/<int:review_id>/",
        review_pages.review_detail,
        name="statistics-review",
    ),
    path(
        "office/exam-statistics/studies/<int:study_id>/",
        study_pages.study_detail,
        name="study-detail",
    ),
    path("office/standard-setting/", study_pages.my_studies, name="judge-studies"),
    path("office/standard-setting/<int:study_id>/", study_pages.rate, name="judge-rate"),
]

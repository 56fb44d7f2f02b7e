"""Use cases of exam statistics and standard setting (re-exported; see the modules for rules)."""

from peritus.itembank.statistics.services.administrations import (
    AnswerSheetsRefused,
    CandidateAnswers,
    import_answer_sheets,
    record_form_responses,
)
from peritus.itembank.statistics.services.analyses import (
    export_analysis_report,
    run_form_analysis,
)
from peritus.itembank.statistics.services.cut_scores import (
    approve_cut_score,
    compute_cut_score,
    reject_cut_score,
)
from peritus.itembank.statistics.services.release import release_form_for_use
from peritus.itembank.statistics.services.reviews import (
    FindingInput,
    close_statistics_review,
    open_due_statistics_reviews,
    open_scheduled_review,
    open_statistics_review,
    set_review_policy,
)
from peritus.itembank.statistics.services.standard_setting import (
    CompromiseJudgements,
    StudyAccessError,
    cancel_study,
    close_rating_round,
    declare_judge_interests,
    open_rating_round,
    open_standard_setting_study,
    remove_judge,
    save_angoff_ratings,
)

__all__ = [
    "AnswerSheetsRefused",
    "CandidateAnswers",
    "CompromiseJudgements",
    "FindingInput",
    "StudyAccessError",
    "approve_cut_score",
    "cancel_study",
    "close_rating_round",
    "close_statistics_review",
    "compute_cut_score",
    "declare_judge_interests",
    "export_analysis_report",
    "import_answer_sheets",
    "open_due_statistics_reviews",
    "open_rating_round",
    "open_scheduled_review",
    "open_standard_setting_study",
    "open_statistics_review",
    "record_form_responses",
    "reject_cut_score",
    "release_form_for_use",
    "remove_judge",
    "run_form_analysis",
    "save_angoff_ratings",
    "set_review_policy",
]

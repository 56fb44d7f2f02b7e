"""Psychometrics engine for exam statistics (ISO/IEC 17024 clause 9.3.5).

A pure NumPy/SciPy package: it imports nothing from Django or from the rest of Peritus, so it
runs as a library, from the command line (``peritus psychometrics analyze``) and in tests without
a database. Modules, by what they compute:

* :mod:`~peritus.psychometrics.scoring` — keyed single/multiple response and partial-credit
  scoring, omitted vs not reached;
* :mod:`~peritus.psychometrics.io` — strict reading of response, key and group files;
* :mod:`~peritus.psychometrics.classical` — classical item and test statistics (chunked, int8),
  built on :mod:`~peritus.psychometrics.score_levels` (the one pass over the data),
  :mod:`~peritus.psychometrics.reliability` (alpha, KR-20/21, SEM, conditional SEM) and
  :mod:`~peritus.psychometrics.distractors` (option analysis);
* :mod:`~peritus.psychometrics.decisions` — decision consistency and accuracy at a cut;
* :mod:`~peritus.psychometrics.standard_setting` — modified Angoff, Hofstee, Beuk;
* :mod:`~peritus.psychometrics.irt` (with :mod:`~peritus.psychometrics.marginal_likelihood`),
  :mod:`~peritus.psychometrics.ability`, :mod:`~peritus.psychometrics.irt_fit` — Rasch/2PL
  calibration, person estimates, item fit;
* :mod:`~peritus.psychometrics.dif` — Mantel-Haenszel DIF with ETS categories;
* :mod:`~peritus.psychometrics.security` — person fit (lz*) and answer similarity;
* :mod:`~peritus.psychometrics.equating` — linear and equipercentile equating;
* :mod:`~peritus.psychometrics.report`, :mod:`~peritus.psychometrics.flags` and the renderers
  (``report_json``, ``report_html``, ``report_pdf``, ``report_figures``, ``plots``) — the
  JSON, HTML and PDF reports;
* :mod:`~peritus.psychometrics.cli` — ``peritus psychometrics analyze``.
"""

from peritus.psychometrics.ability import AbilityEstimates, estimate_abilities
from peritus.psychometrics.classical import ClassicalAnalysis, analyze, analyze_responses
from peritus.psychometrics.decisions import livingston_lewis, sem_band, subkoviak
from peritus.psychometrics.dif import MantelHaenszelDif, mantel_haenszel
from peritus.psychometrics.equating import (
    chained_equipercentile,
    equipercentile,
    levine_observed,
    linear,
    tucker,
)
from peritus.psychometrics.errors import PsychometricsError, PsychometricsInputError
from peritus.psychometrics.io import read_groups, read_key, read_responses
from peritus.psychometrics.irt import IrtModel, calibrate, gauss_hermite, rectangular
from peritus.psychometrics.irt_fit import ItemFit, item_fit
from peritus.psychometrics.report import ExamAnalysis, FlagThresholds, analyze_exam
from peritus.psychometrics.scoring import ItemKey, ItemKind, ScoredResponses, scored_from_matrix
from peritus.psychometrics.security import answer_similarity, lz_star
from peritus.psychometrics.standard_setting import beuk, hofstee, modified_angoff

__all__ = [
    "AbilityEstimates",
    "ClassicalAnalysis",
    "ExamAnalysis",
    "FlagThresholds",
    "IrtModel",
    "ItemFit",
    "ItemKey",
    "ItemKind",
    "MantelHaenszelDif",
    "PsychometricsError",
    "PsychometricsInputError",
    "ScoredResponses",
    "analyze",
    "analyze_exam",
    "analyze_responses",
    "answer_similarity",
    "beuk",
    "calibrate",
    "chained_equipercentile",
    "equipercentile",
    "estimate_abilities",
    "gauss_hermite",
    "hofstee",
    "item_fit",
    "levine_observed",
    "linear",
    "livingston_lewis",
    "lz_star",
    "mantel_haenszel",
    "modified_angoff",
    "read_groups",
    "read_key",
    "read_responses",
    "rectangular",
    "scored_from_matrix",
    "sem_band",
    "subkoviak",
    "tucker",
]

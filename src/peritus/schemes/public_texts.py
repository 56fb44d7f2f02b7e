"""Default public statements a new scheme version starts from (clause 7.2, 9.8, 9.9, 4.3).

They are only a starting point: the scheme manager edits them in the draft, and the committee
approves them with the rest of the version, so what the public reads is always approved data
(rule 11). A body sets its own defaults with the PERITUS_SCHEME_DEFAULT_TEXTS setting.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _


def default_public_texts() -> dict[str, str]:
    body = settings.PERITUS["BODY_NAME"]
    texts = {
        "appeals_policy": _(
            "You may appeal any decision %(body)s takes about your certification — on your "
            "eligibility, your results, or your certificate — within 30 days of being told of it. "
            "Appeals are acknowledged within five working days and decided by a panel whose "
            "members took no part in the decision appealed against, examined you or trained you. "
            "You are told of the outcome in writing, with reasons. Appealing never counts against "
            "you."
        )
        % {"body": body},
        "complaints_policy": _(
            "Anyone may complain about %(body)s or about a person it has certified. Complaints "
            "are acknowledged within five working days, checked for relevance, and handled by "
            "someone not involved in the matter. You are kept informed of progress and told the "
            "outcome; the complaint is closed formally."
        )
        % {"body": body},
        "impartiality_statement": _(
            "%(body)s certifies persons impartially. Its decisions rest only on objective "
            "evidence of competence; it manages conflicts of interest, does not let commercial, "
            "financial or other pressures compromise its impartiality, and keeps training apart "
            "from certification."
        )
        % {"body": body},
    }
    texts.update(getattr(settings, "PERITUS_SCHEME_DEFAULT_TEXTS", {}))
    return texts

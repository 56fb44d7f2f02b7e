"""The answer token: the exam page's credential for saving answers, without the session.

Autosave posts many times a minute per candidate; loading the session and the user for each
save cost more than the save itself. The question page (reached only by the signed-in candidate,
for their own attempt in progress) embeds a token signed with the project's secret that names
the attempt and the candidate; the save endpoint verifies the signature and the age, and the
service still checks that the attempt is that candidate's and is open. A token grants nothing
but saving answers to that one attempt while it runs.
"""

from __future__ import annotations

from django.core import signing

SALT = "peritus.exams.answer-token"
MAX_AGE_SECONDS = 24 * 3600  # longer than any sitting; the attempt's own state decides


def answer_token(*, reference: str, candidate_id: int) -> str:
    return signing.dumps({"a": reference, "u": candidate_id}, salt=SALT, compress=False)


def candidate_of(token: str, *, reference: str) -> int | None:
    """The candidate's user id the token was issued to, for this attempt; None if not valid."""
    try:
        claims = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(claims, dict) or claims.get("a") != reference:
        return None
    user_id = claims.get("u")
    return user_id if isinstance(user_id, int) else None

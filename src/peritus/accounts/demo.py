"""Demo staff for every role, and demo candidates, built with the accounts services."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction
from django.utils import timezone

from peritus.accounts.models import AgreementAcceptance, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import agreements_awaiting, role_grants
from peritus.accounts.services import accept_agreement, assign_role, register_candidate
from peritus.core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, DemoContext

DEMO_DOMAIN = "peritus.example"

# (label, local part, given names, family name, roles)
DEMO_STAFF: tuple[tuple[str, str, str, str, tuple[RoleCode, ...]], ...] = (
    ("administrator", "admin", "Ana", "Ibarra", (RoleCode.ADMINISTRATOR,)),
    ("certification officer", "officer", "Olga", "Sato", (RoleCode.CERTIFICATION_OFFICER,)),
    ("eligibility reviewer", "reviewer", "Rui", "Costa", (RoleCode.ELIGIBILITY_REVIEWER,)),
    ("examiner", "examiner", "Erik", "Moreau", (RoleCode.EXAMINER,)),
    ("second examiner", "examiner2", "Amara", "Nwosu", (RoleCode.EXAMINER,)),
    ("invigilator", "invigilator", "Ines", "Vidal", (RoleCode.INVIGILATOR,)),
    ("item author", "author", "Tomas", "Novak", (RoleCode.ITEM_AUTHOR,)),
    ("item reviewer", "itemreviewer", "Lena", "Fischer", (RoleCode.ITEM_REVIEWER,)),
    ("psychometrician", "psychometrician", "Priya", "Raman", (RoleCode.PSYCHOMETRICIAN,)),
    ("decision maker", "decider", "Dana", "Okafor", (RoleCode.DECISION_MAKER,)),
    ("second decision maker", "decider2", "Jonas", "Berg", (RoleCode.DECISION_MAKER,)),
    ("scheme manager", "schememanager", "Sofia", "Marin", (RoleCode.SCHEME_MANAGER,)),
    ("scheme committee member", "committee", "Kenji", "Arai", (RoleCode.SCHEME_COMMITTEE,)),
    ("quality manager", "quality", "Helga", "Lund", (RoleCode.QUALITY_MANAGER,)),
    ("internal auditor", "auditor", "Marco", "Ferri", (RoleCode.INTERNAL_AUDITOR,)),
    (
        "impartiality committee",
        "impartiality",
        "Yara",
        "Haddad",
        (RoleCode.IMPARTIALITY_COMMITTEE,),
    ),
    ("appeals panel member", "appeals", "Noor", "Rahman", (RoleCode.APPEALS_PANEL,)),
    ("complaints handler", "complaints", "Paul", "Dupont", (RoleCode.COMPLAINTS_HANDLER,)),
    ("top management", "director", "Clara", "Weiss", (RoleCode.TOP_MANAGEMENT,)),
    ("finance officer", "finance", "Felix", "Horvat", (RoleCode.FINANCE_OFFICER,)),
    ("accreditation assessor", "assessor", "Ingrid", "Solberg", (RoleCode.ASSESSOR,)),
)
DEMO_CANDIDATES = (
    ("candidate", "candidate", "Ada", "Lindqvist"),
    ("second candidate", "candidate2", "Malik", "Osei"),
)


def _user(local: str, given: str, family: str) -> tuple[User, bool]:
    email = f"{local}@{DEMO_DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is not None:
        return user, False
    user = User.objects.create_user(
        email=email, password=DEMO_PASSWORD, given_names=given, family_name=family
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user, True


def load(ctx: DemoContext) -> None:
    administrator: User | None = None
    for label, local, given, family, roles in DEMO_STAFF:
        user, created = _user(local, given, family)
        if created:
            for role in roles:
                valid_until = (
                    timezone.localdate().replace(year=timezone.localdate().year + 1)
                    if role == RoleCode.ASSESSOR
                    else None
                )
                assign_role(
                    actor=administrator,
                    user=user,
                    role=role,
                    valid_until=valid_until,
                    reason="Demo set-up",
                )
            if role_grants(user):
                for agreement in agreements_awaiting(user):
                    if not AgreementAcceptance.objects.filter(
                        user=user, agreement=agreement
                    ).exists():
                        accept_agreement(
                            actor=user,
                            agreement=agreement,
                            ip_address="127.0.0.1",
                            user_agent="demo",
                        )
            with transaction.atomic():
                if not Authenticator.objects.filter(
                    user=user, type=Authenticator.Type.TOTP
                ).exists():
                    TOTP.activate(user, DEMO_TOTP_SECRET)
        if local == "admin":
            administrator = user
            if not user.is_staff:
                User.objects.filter(pk=user.pk).update(is_staff=True)
        ctx.users[label] = user
    for label, local, given, family in DEMO_CANDIDATES:
        user, created = _user(local, given, family)
        if created:
            register_candidate(user=user)
        ctx.users[label] = user

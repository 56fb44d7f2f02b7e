"""A few hundred demo applicants in every state, built with the application services.

Each applicant signs up (a user and a person record through `accounts.services`), applies to one
of the demo schemes, answers, uploads small generated PDFs as evidence, signs, and — depending on
the state drawn for them — submits, is reviewed by the demo eligibility reviewer, is asked for
more information, answers, is found eligible or not, or withdraws. Some ask for accommodations.

Later loaders use ``ctx.extra["eligible_applications"]`` (candidates accepted for assessment,
the named demo candidate first), ``ctx.extra["applications"]`` (by status) and
``ctx.extra["demo_candidates"]``. Idempotent: an applicant whose account exists is skipped.
"""

from __future__ import annotations

import dataclasses
import io
import random
import unicodedata
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from peritus.accounts.models import Person, User
from peritus.accounts.services import register_candidate
from peritus.applications.models import Application, ApplicationStatus, EvidenceKind
from peritus.applications.selectors import list_applicable_prerequisites
from peritus.applications.services import (
    Finding,
    ResponseFile,
    accept_code_of_conduct,
    approve_accommodation,
    create_application,
    find_eligible,
    find_not_eligible,
    record_register_consent,
    refuse_accommodation,
    request_accommodation,
    request_more_information,
    respond_to_information_request,
    sign_attestation,
    start_review,
    submit_application,
    update_application,
    upload_evidence,
    withdraw_application,
)
from peritus.core.demo import DEMO_PASSWORD, DemoContext
from peritus.schemes.models import Prerequisite, SchemeVersion

CANDIDATE_DOMAIN = "candidates.peritus.example"
APPLICANTS = 250

GIVEN_NAMES = (
    "Amara", "Bilal", "Chiara", "Dmitri", "Elif", "Fatima", "Gabriel", "Hana", "Ivan", "Jana",
    "Kwame", "Leila", "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rania", "Santiago",
    "Tomasz", "Uma", "Vera", "Wei", "Ximena", "Yusuf", "Zofia", "Aiko", "Björn", "Carmen",
    "Daniel", "Emeka", "Farah", "Giulia", "Hamza", "Inès", "Jonas", "Katarzyna", "Luca",
    "Mariam", "Nikolai", "Olga", "Pedro", "Rosa", "Samir", "Thandiwe", "Ulrich", "Valentina",
    "Wojciech", "Yara", "Zainab", "Aleksander", "Beatriz", "Chen", "Dagny", "Esra", "Finn",
    "Greta", "Hugo", "Irina", "Jun", "Kofi", "Lucía", "Miguel", "Noor", "Orla", "Pavel",
    "Rahul", "Sofía", "Tariq", "Ursula", "Viktor", "Ayodele", "Mei", "Sven", "Ngozi", "Aino",
)  # fmt: skip
FAMILY_NAMES = (
    "Abara", "Bergström", "Castellano", "Dimitrov", "Eriksen", "Ferreira", "Gallagher", "Hadžić",
    "Ibáñez", "Jovanović", "Kowalczyk", "Lindgren", "Mwangi", "Nakamura", "Okonkwo", "Petrović",
    "Quintero", "Rasmussen", "Saarinen", "Tanaka", "Ueda", "Varga", "Wiśniewski", "Xu",
    "Yılmaz", "Zeller", "Achterberg", "Brennan", "Cristea", "Delacroix", "Esposito", "Fischer",
    "Gonçalves", "Haddad", "Iversen", "Jankowski", "Kaur", "Lehmann", "Moreno", "Novak",
    "Oyelaran", "Papadopoulos", "Rahman", "Schulz", "Takahashi", "Urbanek", "Vasquez", "Weber",
    "Yamamoto", "Zhang", "Bianchi", "Chowdhury", "Dubois", "Ekström", "Fontaine", "Grünewald",
    "Horvath", "Ishikawa", "Kaczmarek", "Laurent", "Mendes", "Nowak", "Olsen", "Pereira",
    "Rossi", "Sokolova", "Toivonen", "Wagner", "Adeyemi", "Bauer", "O'Neill", "Van der Berg",
)  # fmt: skip
EMPLOYERS = {
    "WLD": ("Nordhavn Steel Structures", "Baltic Pipe Fabrication", "Iberia Pressure Vessels",
            "Rhine Offshore Services", "Carpathian Bridgeworks", "Atlantic Shipyard Repair"),
    "MDI": ("St Brigid's University Hospital", "Lakeside Community Health Centre",
            "Interpret-Care Cooperative", "Northern Regional Hospital Trust",
            "City Maternity Clinic", "Freelance"),
    "CSP": ("Helix Payments", "Nimbus Logistics", "Kestrel Health Data", "Orbitale Bank",
            "Meridian Public Cloud Services", "Tallis Software"),
}  # fmt: skip
LEVEL_WEIGHTS = (("L1", 5), ("L2", 4), ("L3", 1))
LANGUAGE_PAIRS = ("EN-ES", "EN-FR", "EN-AR", "EN-PL")

# How many applicants end in each state (the named demo candidates come on top).
PLAN: tuple[tuple[str, int], ...] = (
    (ApplicationStatus.DRAFT, 16),
    (ApplicationStatus.SUBMITTED, 24),
    (ApplicationStatus.IN_REVIEW, 14),
    ("answered", 6),  # asked for more information, answered, back in review
    (ApplicationStatus.MORE_INFORMATION_REQUESTED, 12),
    (ApplicationStatus.ELIGIBLE, 154),
    (ApplicationStatus.NOT_ELIGIBLE, 12),
    (ApplicationStatus.WITHDRAWN, 12),
)
SCHEME_WEIGHTS = (("WLD", 40), ("MDI", 25), ("CSP", 35))


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def pdf_document(title: str, lines: list[str]) -> bytes:
    """A one-page PDF, uncompressed and reproducible, standing in for a scanned document."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True, pageCompression=0)
    canvas.setTitle(_ascii(title))
    text = canvas.beginText(25 * mm, 270 * mm)
    text.setFont("Helvetica-Bold", 14)
    text.textLine(_ascii(title))
    text.setFont("Helvetica", 11)
    text.textLine("")
    for line in lines:
        text.textLine(_ascii(line))
    canvas.drawText(text)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@dataclasses.dataclass
class Applicant:
    user: User
    person: Person
    scheme_code: str
    employer: str
    start_year: int


def _signup(index: int, rng: random.Random, password_hash: str) -> User | None:
    given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
    local = _ascii(f"{given}.{family}".lower()).replace(" ", "").replace("'", "")
    email = f"{local}.{index:03d}@{CANDIDATE_DOMAIN}"
    if User.objects.filter(email=email).exists():
        return None
    user = User.objects.create_user(
        email=email, given_names=given, family_name=family,
        preferred_language=rng.choice(("en", "en", "en", "fr", "de", "es")),
    )  # fmt: skip
    user.password = password_hash  # hashed once: hundreds of PBKDF2 runs would take minutes
    user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    register_candidate(user=user)
    return user


def _answers(applicant: Applicant, rng: random.Random) -> dict[str, Any]:
    years = 2026 - applicant.start_year
    employer = applicant.employer
    if applicant.scheme_code == "WLD":
        return {
            "employer": employer,
            "education_summary": f"Vocational diploma in metal fabrication and welding, {applicant.start_year - 1}.",
            "experience_summary": f"Welder then weld inspector at {employer} since {applicant.start_year} ({years} years); "
                                  "visual inspection of structural and pressure welds.",
            "training_summary": "Weld inspection course, 40 hours, 2024." if rng.random() < 0.7 else "",
        }  # fmt: skip
    if applicant.scheme_code == "MDI":
        return {
            "employer": employer,
            "education_summary": "Secondary school diploma; bachelor's degree in modern languages.",
            "experience_summary": f"Community and healthcare interpreting since {applicant.start_year}, "
                                  f"currently with {employer}.",
            "training_summary": "Healthcare interpreting course, 48 hours, 2023.",
        }  # fmt: skip
    return {
        "employer": employer,
        "education_summary": "Bachelor's degree in computer science, 2016.",
        "experience_summary": f"Systems engineer, then cloud security engineer at {employer} since "
                              f"{applicant.start_year} ({years} years).",
        "training_summary": "",
    }  # fmt: skip


def _scope(version: SchemeVersion, code: str, rng: random.Random) -> list[Any]:
    items = {item.code: item for item in version.scope_items.all()}
    if code == "WLD":
        level = rng.choices([c for c, _ in LEVEL_WEIGHTS], [w for _, w in LEVEL_WEIGHTS])[0]
        return [items[level]]
    if code == "MDI":
        return [items[pair] for pair in rng.sample(LANGUAGE_PAIRS, rng.choice((1, 1, 1, 2)))]
    return list(items.values())


EVIDENCE_KIND = {
    "education": EvidenceKind.EDUCATION,
    "experience": EvidenceKind.EXPERIENCE,
    "training": EvidenceKind.TRAINING,
    "prior_certificate": EvidenceKind.PRIOR_CERTIFICATE,
    "other": EvidenceKind.OTHER,
}


def _document_for(applicant: Applicant, prerequisite: Prerequisite) -> tuple[str, bytes]:
    name = applicant.person.full_name
    if prerequisite.kind == "experience":
        return "employer-letter.pdf", pdf_document(
            f"{applicant.employer} — employment statement",
            [f"This is to confirm that {name} has been employed by {applicant.employer}",
             f"since March {applicant.start_year}, currently full time.",
             f"Duties: {prerequisite.description}", "", "Signed: Head of Human Resources"],
        )  # fmt: skip
    if prerequisite.kind == "education":
        return "diploma.pdf", pdf_document(
            "Diploma", [f"Awarded to {name}", "for the successful completion of the programme",
                        "of study recorded in the register of the institution."],
        )  # fmt: skip
    if prerequisite.kind == "training":
        return "course-certificate.pdf", pdf_document(
            "Certificate of attendance",
            [f"{name} attended the course ({prerequisite.minimum_hours or 40} hours)",
             "and passed its final assessment."],
        )  # fmt: skip
    return f"{prerequisite.code.lower()}-evidence.pdf", pdf_document(
        f"Evidence for {prerequisite.code}", [f"Holder: {name}", prerequisite.description]
    )


def _prepare(
    applicant: Applicant, version: SchemeVersion, rng: random.Random, *, sign: bool
) -> Application:
    user = applicant.user
    scheme = version.scheme
    application = create_application(actor=user, person=applicant.person, scheme=scheme)
    update_application(
        actor=user, application=application, values=_answers(applicant, rng),
        requested_scope=_scope(version, applicant.scheme_code, rng),
    )  # fmt: skip
    chosen_groups: set[str] = set()
    for prerequisite in list_applicable_prerequisites(application):
        if prerequisite.alternative_group:
            if prerequisite.alternative_group in chosen_groups:
                continue
            chosen_groups.add(prerequisite.alternative_group)
        name, content = _document_for(applicant, prerequisite)
        upload_evidence(
            actor=user, application=application, upload=io.BytesIO(content), name=name,
            kind=EVIDENCE_KIND[prerequisite.kind], prerequisite=prerequisite,
        )  # fmt: skip
    upload_evidence(
        actor=user, application=application, name="identity-document.pdf",
        upload=io.BytesIO(pdf_document("Identity document (copy)", [applicant.person.full_name])),
        kind=EvidenceKind.IDENTITY,
    )  # fmt: skip
    if sign:
        sign_attestation(
            actor=user, application=application, signed_name=applicant.person.full_name
        )
        accept_code_of_conduct(actor=user, application=application)
        record_register_consent(actor=user, application=application, consent=rng.random() < 0.8)
    return application


def _findings(application: Application, *, refuse: bool) -> tuple[dict[int, Finding], str]:
    evidenced = set(application.evidence_files.values_list("prerequisite_id", flat=True))
    findings: dict[int, Finding] = {}
    refused_code = ""
    for prerequisite in list_applicable_prerequisites(application):
        if prerequisite.pk not in evidenced:
            findings[prerequisite.pk] = Finding("not_applicable", "Route not used.")
        elif refuse and not refused_code:
            refused_code = prerequisite.code
            note = (
                f"The letter covers {max(1, (prerequisite.minimum_months or 12) // 2)} months; "
                f"{prerequisite.minimum_months} are required."
                if prerequisite.minimum_months
                else "The document does not show the requirement is met."
            )
            findings[prerequisite.pk] = Finding("not_met", note)
        else:
            findings[prerequisite.pk] = Finding("met", "Checked against the document supplied.")
    return findings, refused_code


def _accommodation(application: Application, user: User, rng: random.Random) -> Any:
    kind, percent, need = rng.choice((
        ("extra_time", 25, "I have dyslexia, assessed in 2019; reading takes me longer."),
        ("extra_time", 50, "Visual impairment; I use screen magnification."),
        ("separate_room", None, "Anxiety disorder; a quiet room helps me concentrate."),
        ("rest_breaks", None, "Type 1 diabetes: I need to check my blood sugar during the exam."),
        ("large_print", None, "Low vision; I need papers in 18-point type."),
    ))  # fmt: skip
    statement = pdf_document(
        "Medical statement",
        [f"Patient: {application.person.full_name}", need, "", "Signed: treating physician"],
    )
    return request_accommodation(
        actor=user, application=application, kind=kind, need=need, extra_time_percent=percent,
        document=io.BytesIO(statement), document_name="medical-statement.pdf",
    )  # fmt: skip


def _advance(
    ctx: DemoContext, applicant: Applicant, version: SchemeVersion, target: str, rng: random.Random
) -> Application:
    reviewer: User = ctx.users["eligibility reviewer"]
    user = applicant.user
    application = _prepare(applicant, version, rng, sign=target != ApplicationStatus.DRAFT)
    if target == ApplicationStatus.DRAFT:
        return application
    if target == ApplicationStatus.WITHDRAWN and rng.random() < 0.3:
        withdraw_application(actor=user, application=application, reason="I changed my plans.")
        return application
    submit_application(actor=user, application=application)
    if rng.random() < 0.08:
        accommodation = _accommodation(application, user, rng)
        if target in (ApplicationStatus.ELIGIBLE, ApplicationStatus.IN_REVIEW):
            if rng.random() < 0.85:
                approve_accommodation(
                    actor=reviewer, accommodation=accommodation,
                    arrangements=accommodation.get_kind_display()
                    + (f": {accommodation.extra_time_percent} % more time on every timed component"
                       if accommodation.extra_time_percent else " at every assessment"),
                    reasons="The medical statement supports the need; the adjustment keeps the "
                            "assessment valid.",
                )  # fmt: skip
            else:
                refuse_accommodation(
                    actor=reviewer, accommodation=accommodation,
                    reasons="The statement does not describe a need the adjustment would meet; "
                            "please send a statement from your specialist.",
                )  # fmt: skip
    if target in (ApplicationStatus.SUBMITTED,) or (
        target == ApplicationStatus.WITHDRAWN and rng.random() < 0.5
    ):
        if target == ApplicationStatus.WITHDRAWN:
            withdraw_application(actor=user, application=application, reason="New job abroad.")
        return application
    start_review(actor=reviewer, application=application, has_conflict=False)
    if target in (ApplicationStatus.MORE_INFORMATION_REQUESTED, "answered"):
        request_more_information(
            actor=reviewer, application=application,
            message="Your employer letter is not dated and does not give your job title. Please "
                    "upload a signed, dated letter that states your role and the dates of your "
                    "employment.",
        )  # fmt: skip
        if target == "answered":
            letter = pdf_document(
                f"{applicant.employer} — employment statement (dated)",
                [f"{applicant.person.full_name}: employed since March {applicant.start_year}.",
                 "Job title: inspector. Dated and signed by Human Resources."],
            )  # fmt: skip
            experience = next(
                (p for p in list_applicable_prerequisites(application) if p.kind == "experience"),
                None,
            )
            respond_to_information_request(
                actor=user, application=application,
                response="Here is a dated letter from my employer with my job title.",
                files=[ResponseFile(io.BytesIO(letter), "employer-letter-dated.pdf", "experience",
                                    experience.pk if experience else None)],
            )  # fmt: skip
        return application
    if target == ApplicationStatus.IN_REVIEW:
        return application
    if target == ApplicationStatus.NOT_ELIGIBLE:
        findings, code = _findings(application, refuse=True)
        find_not_eligible(
            actor=reviewer, application=application, findings=findings,
            reasons=f"Requirement {code} is not met by the evidence supplied.",
        )  # fmt: skip
        return application
    findings, _ = _findings(application, refuse=False)
    find_eligible(
        actor=reviewer, application=application, findings=findings,
        reasons="Every requirement is met by the documents supplied.",
    )  # fmt: skip
    if target == ApplicationStatus.WITHDRAWN:
        withdraw_application(actor=user, application=application, reason="Health reasons.")
    return application


def _named_candidates(ctx: DemoContext) -> None:
    """The sign-in candidates of the demo: Ada is eligible (welding) and drafting (cloud);
    Malik is asked for more information (interpreting)."""
    versions = ctx.extra["scheme_versions"]
    plans = (
        ("candidate", "WLD", ApplicationStatus.ELIGIBLE),
        ("candidate", "CSP", ApplicationStatus.DRAFT),
        ("second candidate", "MDI", ApplicationStatus.MORE_INFORMATION_REQUESTED),
    )
    for label, code, target in plans:
        user = ctx.users.get(label)
        if user is None:
            continue
        person = Person.objects.get(user=user)
        if Application.objects.filter(person=person, scheme__code=code).exists():
            continue
        applicant = Applicant(user, person, code, EMPLOYERS[code][0], 2017)
        _advance(ctx, applicant, versions[code], target, random.Random(f"{label}-{code}"))  # noqa: S311


def load(ctx: DemoContext) -> None:
    rng = random.Random(9101)  # noqa: S311 - demo data, not security
    versions: dict[str, SchemeVersion] = ctx.extra["scheme_versions"]
    _named_candidates(ctx)
    password_hash = make_password(DEMO_PASSWORD)
    targets = [status for status, count in PLAN for _ in range(count)]
    rng.shuffle(targets)
    created = 0
    for index, target in enumerate(targets[:APPLICANTS], start=1):
        # One random source per applicant: skipping an existing one never shifts the others.
        own = random.Random(f"applicant-{index}")  # noqa: S311 - demo data, not security
        code = own.choices([c for c, _ in SCHEME_WEIGHTS], [w for _, w in SCHEME_WEIGHTS])[0]
        user = _signup(index, own, password_hash)
        if user is None:
            continue
        applicant = Applicant(
            user, Person.objects.get(user=user), code, own.choice(EMPLOYERS[code]),
            own.randint(2008, 2022),
        )  # fmt: skip
        _advance(ctx, applicant, versions[code], target, own)
        created += 1
    applications = Application.objects.select_related("person", "scheme_version").order_by("pk")
    by_status: dict[str, list[Application]] = {status: [] for status in ApplicationStatus.values}
    for application in applications:
        by_status[application.status].append(application)
    named = ctx.users.get("candidate")
    by_status[ApplicationStatus.ELIGIBLE].sort(
        key=lambda a: (named is None or a.person.user_id != named.pk, a.pk)
    )
    ctx.extra["applications"] = by_status
    ctx.extra["eligible_applications"] = by_status[ApplicationStatus.ELIGIBLE]
    ctx.extra["demo_candidates"] = list(
        User.objects.filter(email__endswith=f"@{CANDIDATE_DOMAIN}").order_by("pk")
    )
    ctx.log(
        f"  applications: {created} new; "
        + ", ".join(f"{status} {len(rows)}" for status, rows in by_status.items() if rows)
    )

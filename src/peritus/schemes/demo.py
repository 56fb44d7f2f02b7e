"""Three demo schemes of different shapes, built with the scheme services.

* WLD — welding inspector with three levels (scope items) and a practical examination; an older
  version 2024.1 was replaced by 2026.1, so the history shows a retired publication.
* MDI — medical interpreter, scope by language pair, written and oral examinations (hybrid rule).
* CSP — cloud security practitioner, one online multiple-choice examination from the item bank;
  a draft 2027.1 waits in the office for the committee.

Each published version is drafted by the demo scheme manager and approved by the demo scheme
committee member. Later loaders find them in ``ctx.extra["schemes"]`` and
``ctx.extra["scheme_versions"]`` (by scheme code).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from peritus.accounts.models import User
from peritus.core.demo import DemoContext
from peritus.schemes.models import Scheme, SchemeVersion
from peritus.schemes.selectors import get_current_version
from peritus.schemes.services import (
    PartKind,
    approve_version,
    create_scheme,
    draft_version,
    draft_version_from,
    edit_version,
    publish_version,
    save_part,
)

D = Decimal

COMMON_TEXTS = {
    "attestation_text": (
        "I declare that the information I have given in this application and in the documents I "
        "have supplied is true and complete. I understand that false or misleading information "
        "may lead to the refusal of my application or the withdrawal of any certificate granted, "
        "and that the body may verify my statements with the issuers of my documents. I undertake "
        "to comply with the certification requirements, to supply any information needed for my "
        "assessment, and to inform the body without delay of any change that affects my ability "
        "to meet them."
    ),
    "certificate_terms": (
        "The certificate remains the property of the certification body. You may refer to your "
        "certification only for the scope shown on the certificate and only while it is valid. "
        "You must not use it in a way that brings the body into disrepute, or imply that the "
        "certification applies to an organisation or to activities outside its scope. When the "
        "certificate is suspended or withdrawn you stop all use of it and of the certification "
        "mark at once, and return the certificate if asked. Copies must be reproduced in full."
    ),
    "required_documents": (
        "A copy of a valid identity document with a photograph (passport, identity card or "
        "driving licence). The name on it must match the name on your application."
    ),
    "suspension_criteria": (
        "The certificate is suspended when the holder fails to meet a surveillance requirement "
        "by its deadline, when a complaint about the holder's work is found to have substance "
        "and is being investigated, or when the holder asks for a voluntary suspension (at most "
        "six months). During suspension the holder may not claim certification."
    ),
    "withdrawal_criteria": (
        "The certificate is withdrawn when a suspension is not resolved by its deadline, when the "
        "holder is found to have obtained certification by fraud or false statements, when the "
        "holder seriously breaches the code of conduct, or at the holder's request."
    ),
}

WELDING: dict[str, Any] = {
    "scheme": {
        "code": "WLD",
        "slug": "welding-inspector",
        "name": "Welding Inspector",
        "summary": "Inspection of welded fabrications before, during and after welding, at three levels.",
        "sector": "Manufacturing and construction",
    },
    "texts": {
        **COMMON_TEXTS,
        "scope_statement": (
            "A certified welding inspector checks that welded fabrications — structural steel, "
            "pressure equipment and pipework — are made to the applicable code. The scope is "
            "given by level: Level 1 inspects welds visually against acceptance criteria; Level 2 "
            "also plans and supervises inspection, reviews welding procedures and welder "
            "qualifications; Level 3 approves procedures, leads inspection teams and resolves "
            "non-conformities."
        ),
        "job_description": (
            "Before welding: review drawings, procedures (WPS) and welder qualifications; check "
            "materials, consumables and joint preparation. During welding: monitor preheat, "
            "parameters and interpass temperature. After welding: examine finished welds, "
            "measure and record imperfections, decide acceptance, and report."
        ),
        "job_analysis_reference": "Job and task analysis of weld inspection, survey of 212 practitioners, 2025",
        "assessment_overview": (
            "A written examination on welding processes, imperfections, codes and inspection "
            "practice, and a practical examination in which the candidate inspects three welded "
            "test pieces and writes an inspection report. Both must be passed."
        ),
        "combination_rule": "conjunctive",
        "validity_months": 36,
        "surveillance_interval_months": 12,
        "surveillance_requirements": (
            "Every year the holder submits a statement, signed by their employer or clients, "
            "that they have continued to work as a welding inspector without a break of more "
            "than six months, and declares any complaint received about their work."
        ),
        "recertification_requirements": (
            "Before expiry the holder shows at least 24 months of inspection work during the "
            "cycle, with a log of inspections, and passes a short practical re-examination. A "
            "holder without continuous activity sits the full examination again."
        ),
        "cpd_hours_per_cycle": 30,
        "scope_change_rules": (
            "A holder may add a higher level by meeting its prerequisites and passing its "
            "examinations. A level may be withdrawn on its own after a founded complaint, which "
            "reduces the scope and reissues the certificate."
        ),
        "code_of_conduct": (
            "As a certified welding inspector I will: carry out inspections honestly and "
            "objectively, and report what I find, favourable or not; inspect only within my "
            "certified level and my competence; refuse any payment or favour that could influence "
            "my findings; declare any interest in the work I inspect; keep confidential the "
            "information I learn through my work; put the safety of people first; and cooperate "
            "with the certification body in any investigation."
        ),
        "fees_note": "Fees are in euros and exclude VAT. A resit is charged per component.",
    },
    "scope_items": [
        (
            "L1",
            "Welding Inspector Level 1",
            "1",
            "Visual inspection of finished welds against given acceptance criteria.",
            "Works under the supervision of a Level 2 or Level 3 inspector.",
        ),
        (
            "L2",
            "Welding Inspector Level 2",
            "2",
            "Plans and supervises inspection; reviews procedures and welder qualifications.",
            "",
        ),
        (
            "L3",
            "Welding Inspector Level 3",
            "3",
            "Approves procedures, leads inspection teams, resolves non-conformities.",
            "",
        ),
    ],
    "domains": [
        (
            "D1",
            "Welding processes and metallurgy",
            D(25),
            [
                ("D1.1", "Identify arc welding processes and their typical imperfections"),
                ("D1.2", "Explain the effect of heat input, preheat and cooling on steel"),
            ],
        ),
        (
            "D2",
            "Inspection and acceptance",
            D(35),
            [
                ("D2.1", "Examine welds visually and measure imperfections with gauges"),
                ("D2.2", "Apply acceptance criteria of the applicable code"),
                ("D2.3", "Select non-destructive testing and read its reports"),
            ],
        ),
        (
            "D3",
            "Codes, procedures and documentation",
            D(25),
            [
                ("D3.1", "Review welding procedure specifications and qualification records"),
                ("D3.2", "Write inspection reports and non-conformity reports"),
            ],
        ),
        (
            "D4",
            "Safety and professional conduct",
            D(15),
            [
                ("D4.1", "Recognise hazards of welding work and inspection"),
            ],
        ),
    ],
    "prerequisites": [
        (
            "EDU",
            "education",
            "A vocational qualification or secondary education in a technical field.",
            None,
            None,
            "Copy of your diploma or certificate.",
            True,
            "",
            [],
        ),
        (
            "EXP1",
            "experience",
            "At least 12 months of work in welding, fabrication or inspection.",
            12,
            None,
            "Letter from your employer(s) stating your role and dates.",
            True,
            "",
            ["L1"],
        ),
        (
            "EXP2",
            "experience",
            "At least 36 months of work in welding, fabrication or inspection, of which 12 in inspection.",
            36,
            None,
            "Letters from your employer(s) stating your roles and dates.",
            True,
            "",
            ["L2"],
        ),
        (
            "EXP3",
            "experience",
            "At least 60 months of work in inspection, of which 24 supervising inspectors.",
            60,
            None,
            "Letters from your employer(s) stating your roles and dates.",
            True,
            "",
            ["L3"],
        ),
        (
            "TRN",
            "training",
            "A course in weld inspection of at least 40 hours, from any provider.",
            None,
            40,
            "Course certificate showing the hours.",
            True,
            "prep",
            [],
        ),
        (
            "SUP",
            "experience",
            "Instead of a course: 24 months of inspection under a certified inspector's supervision.",
            24,
            None,
            "Statement from the supervising inspector.",
            True,
            "prep",
            [],
        ),
        (
            "VIS",
            "other",
            "Near-vision (Jaeger J1 or equivalent) and colour-vision test passed within the last 12 months.",
            None,
            None,
            "Eye test report signed by an optician or physician.",
            True,
            "",
            [],
        ),
    ],
    "components": [
        (
            "WRITTEN",
            "Written examination",
            "written",
            "60 questions on processes, imperfections, codes and practice.",
            "in_person",
            120,
            D(100),
            D(70),
            D(1),
        ),
        (
            "PRACTICAL",
            "Practical inspection",
            "practical",
            "Inspection of three welded test pieces with a written report.",
            "in_person",
            180,
            D(100),
            D(70),
            D(1),
        ),
    ],
    "fees": [
        ("application", "Application and eligibility review", D("120.00")),
        ("assessment", "Written examination", D("280.00")),
        ("assessment", "Practical examination", D("350.00")),
        ("certification", "Certificate issue", D("150.00")),
        ("annual", "Annual surveillance", D("60.00")),
        ("recertification", "Recertification", D("320.00")),
    ],
}

INTERPRETER: dict[str, Any] = {
    "scheme": {
        "code": "MDI",
        "slug": "medical-interpreter",
        "name": "Medical Interpreter",
        "summary": "Interpreting between patients and healthcare staff, by language pair.",
        "sector": "Health and social care",
    },
    "texts": {
        **COMMON_TEXTS,
        "scope_statement": (
            "A certified medical interpreter enables communication between patients and "
            "healthcare providers who do not share a language, in consultations, admissions, "
            "consent conversations and discharge. The scope is given by language pair; each pair "
            "is assessed separately."
        ),
        "job_description": (
            "Prepare for an assignment; introduce the role; interpret consecutively and, where "
            "needed, by sight translation of short documents; manage the flow of the "
            "conversation; intervene transparently to clarify; uphold accuracy, impartiality and "
            "confidentiality; report incidents."
        ),
        "job_analysis_reference": "Role delineation study for healthcare interpreting, 2024",
        "assessment_overview": (
            "A written examination on medical terminology, healthcare settings and ethics, in "
            "both languages; and an oral examination of recorded role-plays — consecutive "
            "interpreting of two consultations and one sight translation — marked by two "
            "examiners fluent in the language pair."
        ),
        "combination_rule": "hybrid",
        "overall_pass_percent": D(70),
        "validity_months": 60,
        "surveillance_interval_months": None,
        "surveillance_requirements": "",
        "recertification_requirements": (
            "At least 30 hours of continuing professional development during the cycle, of which "
            "6 on ethics, and a statement of at least 200 hours of interpreting work in healthcare."
        ),
        "cpd_hours_per_cycle": 30,
        "scope_change_rules": (
            "A language pair is added by passing its oral examination; a pair may be withdrawn "
            "on its own after a founded complaint."
        ),
        "code_of_conduct": (
            "As a certified medical interpreter I will: interpret accurately and completely, "
            "adding, omitting or changing nothing; remain impartial and disclose any conflict of "
            "interest before an assignment; keep confidential everything I learn in the course "
            "of my work; respect the patient's culture and dignity; stay within the role of "
            "interpreter and refer questions of care to the provider; decline assignments beyond "
            "my competence; and continue to develop my skills."
        ),
        "fees_note": "Each additional language pair is charged the oral examination fee.",
    },
    "scope_items": [
        ("EN-ES", "English ⇄ Spanish", "", "", ""),
        ("EN-FR", "English ⇄ French", "", "", ""),
        ("EN-AR", "English ⇄ Arabic", "", "", ""),
        ("EN-PL", "English ⇄ Polish", "", "", ""),
    ],
    "domains": [
        (
            "M1",
            "Interpreting skills",
            D(45),
            [
                ("M1.1", "Interpret consecutively with accuracy and completeness"),
                ("M1.2", "Sight-translate short medical documents"),
            ],
        ),
        (
            "M2",
            "Medical knowledge and terminology",
            D(30),
            [
                ("M2.1", "Use the terminology of common specialties in both languages"),
            ],
        ),
        (
            "M3",
            "Ethics and professional practice",
            D(25),
            [
                ("M3.1", "Apply the principles of confidentiality, accuracy and impartiality"),
                ("M3.2", "Manage the encounter and intervene transparently"),
            ],
        ),
    ],
    "prerequisites": [
        (
            "EDU",
            "education",
            "Secondary education completed (or equivalent).",
            None,
            None,
            "Copy of your diploma.",
            True,
            "",
            [],
        ),
        (
            "LANG",
            "other",
            "Proficiency at level C1 or above in both languages of each pair applied for.",
            None,
            None,
            "Language certificate, degree taught in the language, or equivalent evidence.",
            True,
            "",
            [],
        ),
        (
            "TRN",
            "training",
            "Training in healthcare interpreting of at least 40 hours, from any provider.",
            None,
            40,
            "Course certificate showing the hours and content.",
            True,
            "prep",
            [],
        ),
        (
            "EXP",
            "experience",
            "Instead of training: 12 months of regular interpreting work in healthcare.",
            12,
            None,
            "Letters from the services you interpreted for.",
            True,
            "prep",
            [],
        ),
    ],
    "components": [
        (
            "WRITTEN",
            "Written examination",
            "written",
            "Terminology, healthcare settings and ethics.",
            "in_person",
            90,
            D(80),
            D(52),
            D(1),
        ),
        (
            "ORAL",
            "Oral examination",
            "oral",
            "Two recorded consultations and one sight translation, double-marked.",
            "in_person",
            60,
            D(100),
            D(70),
            D(2),
        ),
    ],
    "fees": [
        ("application", "Application and eligibility review", D("90.00")),
        ("assessment", "Written examination", D("180.00")),
        ("assessment", "Oral examination (per language pair)", D("240.00")),
        ("certification", "Certificate issue", D("100.00")),
        ("recertification", "Recertification", D("150.00")),
    ],
}

CLOUD: dict[str, Any] = {
    "scheme": {
        "code": "CSP",
        "slug": "cloud-security-practitioner",
        "name": "Cloud Security Practitioner",
        "summary": "Designing, operating and assuring the security of workloads in public clouds.",
        "sector": "Information technology",
    },
    "texts": {
        **COMMON_TEXTS,
        "scope_statement": (
            "A certified cloud security practitioner secures workloads hosted on public "
            "infrastructure and platform services: identity and access, network and data "
            "protection, logging and detection, incident response, and compliance with "
            "contractual and legal requirements. The certification is independent of any "
            "cloud provider."
        ),
        "job_description": (
            "Assess risks of cloud services; design identity, network and encryption controls; "
            "automate secure configuration; monitor and respond to incidents; evaluate providers "
            "and contracts; evidence compliance for audits."
        ),
        "job_analysis_reference": "Cloud security practice analysis, 1,040 respondents, 2025",
        "assessment_overview": (
            "One online examination of 100 multiple-choice questions in 150 minutes, delivered "
            "with remote invigilation or at a test centre. Forms are assembled from the item bank "
            "to a published blueprint; the pass mark is set by a standard-setting study."
        ),
        "combination_rule": "conjunctive",
        "validity_months": 36,
        "surveillance_interval_months": 12,
        "surveillance_requirements": (
            "Every year the holder records at least 20 hours of continuing professional "
            "development and pays the annual fee; a sample of records is audited."
        ),
        "recertification_requirements": (
            "90 hours of continuing professional development during the three-year cycle, of "
            "which at least 30 in cloud security, and a declaration of continued practice."
        ),
        "cpd_hours_per_cycle": 90,
        "scope_change_rules": "The certification has a single scope; it cannot be reduced.",
        "code_of_conduct": (
            "As a certified cloud security practitioner I will: protect the systems and data "
            "entrusted to me and the people they serve; act honestly and within the law; never "
            "exploit a weakness I discover, and disclose it responsibly; keep confidential what "
            "I learn from clients and employers; state my competence truthfully; and never "
            "disclose examination content."
        ),
        "fees_note": "The examination fee includes one reschedule up to 48 hours before the appointment.",
    },
    "scope_items": [
        (
            "CSP",
            "Cloud security practice",
            "",
            "Public cloud infrastructure and platform services.",
            "",
        ),
    ],
    "domains": [
        (
            "C1",
            "Cloud concepts, architecture and risk",
            D(15),
            [("C1.1", "Assess the shared-responsibility model of a service")],
        ),
        (
            "C2",
            "Identity and access management",
            D(20),
            [("C2.1", "Design least-privilege roles and federation")],
        ),
        (
            "C3",
            "Data and network protection",
            D(20),
            [
                ("C3.1", "Apply encryption and key management"),
                ("C3.2", "Segment networks and protect endpoints"),
            ],
        ),
        (
            "C4",
            "Security operations and incident response",
            D(25),
            [("C4.1", "Collect and analyse logs"), ("C4.2", "Contain and investigate incidents")],
        ),
        (
            "C5",
            "Governance, compliance and contracts",
            D(20),
            [("C5.1", "Evaluate providers and contractual clauses")],
        ),
    ],
    "prerequisites": [
        (
            "EXP",
            "experience",
            "At least 36 months of paid work in information technology, of which 12 in security.",
            36,
            None,
            "Letters from your employers or a CV countersigned by them.",
            True,
            "route",
            [],
        ),
        (
            "DEG",
            "education",
            "Instead: a bachelor's degree in computing or a related field and 12 months of work in security.",
            12,
            None,
            "Copy of your degree and a letter from your employer.",
            True,
            "route",
            [],
        ),
    ],
    "components": [
        (
            "EXAM",
            "Online examination",
            "exam",
            "100 multiple-choice questions, 150 minutes, from the item bank.",
            "online",
            150,
            D(100),
            D(70),
            D(1),
        ),
    ],
    "fees": [
        ("application", "Application and eligibility review", D("75.00")),
        ("assessment", "Online examination", D("450.00")),
        ("annual", "Annual maintenance", D("85.00")),
    ],
}


def _add_parts(actor: User, version: SchemeVersion, content: dict[str, Any]) -> None:
    scope: dict[str, Any] = {}
    for position, (code, title, level, description, limitations) in enumerate(
        content["scope_items"]
    ):
        scope[code] = save_part(
            actor=actor, version=version, kind=PartKind.SCOPE_ITEM,
            values={"code": code, "title": title, "level": level, "description": description,
                    "limitations": limitations, "position": position},
        )  # fmt: skip
    for position, (code, title, weight, tasks) in enumerate(content["domains"]):
        domain = save_part(
            actor=actor, version=version, kind=PartKind.COMPETENCE_DOMAIN,
            values={"code": code, "title": title, "weight": weight, "position": position},
        )  # fmt: skip
        for task_position, (task_code, task_title) in enumerate(tasks):
            save_part(
                actor=actor, version=version, kind=PartKind.COMPETENCE_TASK,
                values={"domain": domain, "code": task_code, "title": task_title,
                        "position": task_position},
            )  # fmt: skip
    for position, row in enumerate(content["prerequisites"]):
        code, kind, description, months, hours, evidence, required, group, scope_codes = row
        save_part(
            actor=actor, version=version, kind=PartKind.PREREQUISITE,
            values={"code": code, "kind": kind, "description": description,
                    "minimum_months": months, "minimum_hours": hours,
                    "evidence_description": evidence, "evidence_required": required,
                    "alternative_group": group, "position": position,
                    "scope_items": [scope[c] for c in scope_codes]},
        )  # fmt: skip
    for position, row in enumerate(content["components"]):
        code, name, kind, description, delivery, minutes, maximum, pass_mark, weight = row
        save_part(
            actor=actor, version=version, kind=PartKind.COMPONENT,
            values={"code": code, "name": name, "kind": kind, "description": description,
                    "delivery": delivery, "duration_minutes": minutes, "max_score": maximum,
                    "pass_mark": pass_mark, "weight": weight, "required": True,
                    "position": position},
        )  # fmt: skip
    for position, (kind, description, amount) in enumerate(content["fees"]):
        save_part(
            actor=actor, version=version, kind=PartKind.FEE,
            values={"kind": kind, "description": description, "amount": amount,
                    "currency": "EUR", "position": position},
        )  # fmt: skip


def _publish(manager: User, committee: User, version: SchemeVersion, minutes: str) -> SchemeVersion:
    approve_version(actor=committee, version=version, approval_reference=minutes)
    return publish_version(actor=manager, version=version)


def _build(ctx: DemoContext, content: dict[str, Any], label: str, minutes: str) -> Scheme:
    manager, committee = ctx.users["scheme manager"], ctx.users["scheme committee member"]
    scheme = create_scheme(actor=manager, **content["scheme"])
    version = draft_version(actor=manager, scheme=scheme, version=label, values=content["texts"])
    _add_parts(manager, version, content)
    _publish(manager, committee, version, minutes)
    return scheme


def _welding(ctx: DemoContext) -> Scheme:
    """Version 2024.1 asked 48 months for Level 3; 2026.1 raised it to 60 and replaced it."""
    manager, committee = ctx.users["scheme manager"], ctx.users["scheme committee member"]
    old_content = {
        **WELDING,
        "prerequisites": [
            (*row[:3], 48, *row[4:]) if row[0] == "EXP3" else row
            for row in WELDING["prerequisites"]
        ],
    }
    scheme = _build(ctx, old_content, "2024.1", "Scheme committee, minutes 2024-03")
    draft = draft_version_from(actor=manager, source=_current(scheme), version="2026.1")
    edit_version(
        actor=manager, version=draft,
        values={"change_summary": "Level 3 now needs 60 months of inspection work (was 48), "
                                  "after the 2025 job analysis."},
    )  # fmt: skip
    level_3 = draft.prerequisites.get(code="EXP3")
    save_part(
        actor=manager, version=draft, kind=PartKind.PREREQUISITE, part_id=level_3.pk,
        values={"minimum_months": 60},
    )  # fmt: skip
    _publish(manager, committee, draft, "Scheme committee, minutes 2026-01")
    return scheme


def _current(scheme: Scheme) -> SchemeVersion:
    version = get_current_version(scheme)
    assert version is not None  # the demo schemes are always published
    return version


BUILDERS: dict[str, Callable[[DemoContext], Scheme]] = {
    "WLD": _welding,
    "MDI": lambda ctx: _build(ctx, INTERPRETER, "2025.1", "Scheme committee, minutes 2025-06"),
    "CSP": lambda ctx: _build(ctx, CLOUD, "2026.1", "Scheme committee, minutes 2026-02"),
}


def load(ctx: DemoContext) -> None:
    schemes: dict[str, Scheme] = {}
    for code, build in BUILDERS.items():
        schemes[code] = Scheme.objects.filter(code=code).first() or build(ctx)
    cloud = schemes["CSP"]
    if not cloud.versions.filter(version="2027.1").exists():
        manager = ctx.users["scheme manager"]
        draft = draft_version_from(actor=manager, source=_current(cloud), version="2027.1")
        edit_version(
            actor=manager, version=draft,
            values={"change_summary": "Adds AI workload security to domain C1; CPD rises to "
                                      "100 hours.",
                    "cpd_hours_per_cycle": 100},
        )  # fmt: skip
    ctx.extra["schemes"] = schemes
    ctx.extra["scheme_versions"] = {code: _current(scheme) for code, scheme in schemes.items()}
    ctx.log(f"  schemes: {', '.join(sorted(schemes))}")

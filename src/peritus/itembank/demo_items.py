"""Invented, realistic item material for the demo banks (no real exam content).

Each topic is a list of (term, definition) facts from which `demo.py` writes items of every
interaction type; the extra lists give ordering, numeric and true/false items.
"""

from __future__ import annotations

CLOUD_TOPICS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Cloud concepts and architecture",
        [
            (
                "Multi-tenancy",
                "several customers share the same physical resources, kept apart logically",
            ),
            ("Rapid elasticity", "capacity grows and shrinks automatically with demand"),
            ("Measured service", "use of resources is metered and billed by consumption"),
            (
                "Shared responsibility model",
                "security duties are split between the provider and the customer according to the service model",
            ),
            (
                "Infrastructure as a Service",
                "the customer manages operating systems and applications on virtual machines the provider runs",
            ),
            (
                "Platform as a Service",
                "the customer deploys code onto a runtime the provider patches and scales",
            ),
            (
                "Software as a Service",
                "the customer configures an application the provider runs entirely",
            ),
            (
                "Hybrid cloud",
                "private and public clouds are combined with workloads moving between them",
            ),
            (
                "Community cloud",
                "infrastructure shared by organisations with common compliance concerns",
            ),
            (
                "Vendor lock-in",
                "moving to another provider is costly because of proprietary services and formats",
            ),
        ],
    ),
    (
        "Cloud data security",
        [
            (
                "Crypto-shredding",
                "data is made unrecoverable by destroying the keys that encrypt it",
            ),
            (
                "Tokenisation",
                "a sensitive value is replaced by a surrogate that maps back only through a protected vault",
            ),
            ("Data masking", "parts of a value are hidden from users who do not need to see them"),
            (
                "Envelope encryption",
                "data keys are themselves encrypted by a key-encryption key held in a key management service",
            ),
            (
                "Data loss prevention",
                "content is inspected in motion and at rest to stop sensitive data leaving",
            ),
            (
                "Data classification",
                "information is labelled by sensitivity to decide how it must be protected",
            ),
            (
                "Bring your own key",
                "the customer generates and controls the master key used by the provider's service",
            ),
            ("Data residency", "data must be stored within a given jurisdiction"),
            (
                "Information rights management",
                "protection travels with a document and limits what recipients can do with it",
            ),
            (
                "Data dispersion",
                "data is split across locations so that no single site holds a usable copy",
            ),
        ],
    ),
    (
        "Platform and infrastructure security",
        [
            (
                "Hypervisor escape",
                "code in a guest virtual machine breaks out to the host or other guests",
            ),
            (
                "Micro-segmentation",
                "fine-grained network policies isolate workloads from one another",
            ),
            (
                "Bastion host",
                "a hardened single entry point through which administrators reach private networks",
            ),
            (
                "Immutable infrastructure",
                "servers are replaced from a known image rather than patched in place",
            ),
            (
                "Trusted platform module",
                "a hardware chip that stores keys and measures the boot sequence",
            ),
            ("Security group", "a stateful virtual firewall attached to cloud instances"),
            ("Golden image", "a hardened, approved base image from which every instance starts"),
            (
                "Infrastructure as code",
                "environments are defined in version-controlled templates and built automatically",
            ),
            (
                "Instance metadata service",
                "an internal endpoint that gives a virtual machine its credentials and configuration",
            ),
            ("Availability zone", "an isolated data-centre location within a region"),
        ],
    ),
    (
        "Cloud application security",
        [
            (
                "Server-side request forgery",
                "an application is tricked into sending requests to internal resources",
            ),
            (
                "Software composition analysis",
                "third-party libraries are checked for known vulnerabilities and licences",
            ),
            (
                "Static application security testing",
                "source code is analysed for flaws without running it",
            ),
            (
                "Dynamic application security testing",
                "a running application is probed from the outside for vulnerabilities",
            ),
            (
                "Threat modelling",
                "attack paths are identified during design so controls can be built in",
            ),
            (
                "Secrets management",
                "credentials are stored centrally, rotated and injected at run time rather than kept in code",
            ),
            (
                "API gateway",
                "a single entry point that authenticates, throttles and logs calls to back-end services",
            ),
            (
                "Web application firewall",
                "HTTP traffic is filtered against attack patterns before it reaches the application",
            ),
            ("OAuth 2.0", "a framework for delegated authorisation with access tokens"),
            (
                "Software bill of materials",
                "a list of every component and version an application is built from",
            ),
        ],
    ),
    (
        "Cloud security operations",
        [
            (
                "Security information and event management",
                "logs from many sources are collected and correlated to detect incidents",
            ),
            (
                "Chain of custody",
                "a record of who held evidence, when and why, so it stays admissible",
            ),
            (
                "Recovery time objective",
                "the longest acceptable time to restore a service after disruption",
            ),
            ("Recovery point objective", "the largest acceptable loss of data measured in time"),
            (
                "Cloud security posture management",
                "cloud configurations are continuously checked against policy",
            ),
            ("Runbook", "a documented, repeatable procedure for an operational task"),
            (
                "Blue-green deployment",
                "traffic is switched between two identical environments to release without downtime",
            ),
            ("Tabletop exercise", "a discussion-based rehearsal of the response to a scenario"),
            (
                "Indicator of compromise",
                "an observable artefact that suggests a system has been breached",
            ),
            (
                "Break-glass account",
                "an emergency privileged account used only when normal access fails",
            ),
        ],
    ),
    (
        "Legal, risk and compliance",
        [
            (
                "Right to erasure",
                "a data subject can have their personal data deleted when no ground to keep it remains",
            ),
            (
                "Data processing agreement",
                "a contract setting how a processor handles personal data for a controller",
            ),
            (
                "SOC 2 Type II report",
                "an auditor's opinion on the operating effectiveness of controls over a period",
            ),
            (
                "Risk appetite",
                "the amount of risk an organisation is willing to accept in pursuit of its objectives",
            ),
            (
                "E-discovery",
                "electronic information is identified and preserved for legal proceedings",
            ),
            ("Legal hold", "deletion is suspended for data relevant to litigation"),
            (
                "Right to audit clause",
                "a contract term allowing the customer to assess the provider's controls",
            ),
            ("Residual risk", "the risk that remains after controls are applied"),
            (
                "Privacy impact assessment",
                "an analysis of how a project affects the privacy of individuals",
            ),
            (
                "Cross-border transfer",
                "personal data moves to a country with a different level of protection",
            ),
        ],
    ),
]

CLOUD_SEQUENCES: list[tuple[str, list[str]]] = [
    (
        "Put the phases of incident response in order.",
        [
            "Preparation",
            "Detection and analysis",
            "Containment",
            "Eradication",
            "Recovery",
            "Lessons learned",
        ],
    ),
    (
        "Put the stages of the cloud data lifecycle in order.",
        ["Create", "Store", "Use", "Share", "Archive", "Destroy"],
    ),
    (
        "Order the steps of a key rotation without downtime.",
        [
            "Generate the new key",
            "Encrypt new data with the new key",
            "Re-encrypt existing data",
            "Retire the old key",
        ],
    ),
    (
        "Order the steps of responding to a leaked access key.",
        [
            "Revoke the key",
            "Review the key's activity in the logs",
            "Remove the key from the repository",
            "Issue short-lived credentials instead",
        ],
    ),
]
CLOUD_NUMERIC: list[tuple[str, str]] = [
    ("How many bits long is an AES-256 key?", "256"),
    (
        "A service must be restored within 4 hours. What is its recovery time objective, in minutes?",
        "240",
    ),
    (
        "An availability of 99.9 % over a 30-day month allows at most how many minutes of downtime? (one decimal)",
        "43.2",
    ),
    (
        "How many availability zones are needed at least to survive the loss of one zone while keeping a majority quorum of three replicas?",
        "3",
    ),
]
CLOUD_TRUE_FALSE: list[tuple[str, bool]] = [
    (
        "Under the shared responsibility model, the customer of an IaaS service patches the guest operating system.",
        True,
    ),
    (
        "Encrypting data at rest protects it against an attacker who has stolen valid application credentials.",
        False,
    ),
    ("Crypto-shredding is an accepted way to sanitise data in a multi-tenant cloud.", True),
    (
        "A security group in a public cloud is stateless: return traffic must be allowed explicitly.",
        False,
    ),
    ("A SOC 2 Type I report covers the operating effectiveness of controls over a period.", False),
    ("Short-lived credentials reduce the damage a leaked key can do.", True),
]

WELDING_TOPICS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Weld imperfections",
        [
            ("Porosity", "gas pores trapped in the solidified weld metal"),
            (
                "Undercut",
                "a groove melted into the base metal at the toe of the weld and left unfilled",
            ),
            ("Lack of fusion", "weld metal does not bond with the base metal or a previous run"),
            ("Crater crack", "a crack at the end of a run where the pool solidified"),
            ("Slag inclusion", "non-metallic solid trapped in the weld metal"),
            ("Excess penetration", "weld metal protrudes beyond the root surface"),
        ],
    ),
    (
        "Testing methods",
        [
            ("Visual testing", "the first and cheapest examination, done before and after welding"),
            (
                "Magnetic particle testing",
                "surface and near-surface flaws in ferromagnetic steel are shown by particles in a field",
            ),
            (
                "Penetrant testing",
                "a coloured or fluorescent liquid reveals surface-breaking flaws",
            ),
            ("Ultrasonic testing", "sound waves reflected by internal flaws are timed and sized"),
            ("Radiographic testing", "X or gamma rays record internal flaws on film or a detector"),
            (
                "Macro examination",
                "a polished and etched cross-section shows fusion and penetration",
            ),
        ],
    ),
]
INTERPRETING_TOPICS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Interpreting practice",
        [
            (
                "Consecutive interpreting",
                "the interpreter renders the message after the speaker pauses",
            ),
            (
                "Simultaneous interpreting",
                "the interpreter renders the message while the speaker continues",
            ),
            ("Sight translation", "a written document is rendered orally in another language"),
            (
                "First-person interpreting",
                "the interpreter speaks as the speaker, saying “I” for them",
            ),
            ("Register", "the level of formality of language, kept when interpreting"),
            (
                "Teach-back",
                "the patient explains the information in their own words to confirm understanding",
            ),
        ],
    ),
    (
        "Ethics and role",
        [
            ("Confidentiality", "what is learnt during an encounter is not disclosed outside it"),
            ("Impartiality", "the interpreter takes no side and shows no bias"),
            (
                "Role boundaries",
                "the interpreter does not give advice or act as an advocate uninvited",
            ),
            (
                "Conflict of interest",
                "a personal relationship that could affect the interpreter's neutrality",
            ),
            (
                "Cultural clarification",
                "the interpreter briefly explains a cultural reference that blocks understanding",
            ),
            (
                "Transparency",
                "everything the interpreter says to one party is also rendered to the other",
            ),
        ],
    ),
]

from django.urls import path

from peritus.certification.views import office, portal

app_name = "certification"

DECISIONS = "office/certification/decisions/"
FILES = "office/certification/applications/<str:reference>/"
CERTIFICATES = "office/certificates/"
PORTAL = "portal/certificates/"

urlpatterns = [
    path(DECISIONS, office.decision_queue, name="decision-queue"),
    path(f"{DECISIONS}issue/", office.decisions_issue, name="decisions-issue"),
    path(f"{DECISIONS}<str:reference>/", office.decision_detail, name="decision-detail"),
    path(f"{DECISIONS}<str:reference>/certificate/", office.decision_issue, name="decision-issue"),
    path(f"{DECISIONS}<str:reference>/terms/", office.decision_terms, name="decision-terms"),
    path(f"{FILES}decision/", office.decision_create, name="decision-create"),
    path(f"{FILES}evidence/", office.application_evidence, name="application-evidence"),
    path(
        f"{FILES}evidence.zip", office.application_evidence_pack, name="application-evidence-pack"
    ),
    path(CERTIFICATES, office.certificate_list, name="certificate-list"),
    path(f"{CERTIFICATES}<str:number>/", office.certificate_detail, name="certificate-detail"),
    path(
        f"{CERTIFICATES}<str:number>/revisions/<int:revision>.pdf",
        office.certificate_pdf,
        name="certificate-pdf",
    ),
    path(
        f"{CERTIFICATES}<str:number>/reissue/",
        office.certificate_reissue,
        name="certificate-reissue",
    ),
    path(
        f"{CERTIFICATES}<str:number>/evidence/",
        office.certificate_evidence,
        name="certificate-evidence",
    ),
    path(
        f"{CERTIFICATES}<str:number>/evidence.zip",
        office.certificate_evidence_pack,
        name="certificate-evidence-pack",
    ),
    path(PORTAL, portal.portal_certificates, name="portal-certificates"),
    path(f"{PORTAL}decisions/<str:reference>/terms/", portal.portal_terms, name="portal-terms"),
    path(
        f"{PORTAL}<str:number>/", portal.portal_certificate_detail, name="portal-certificate-detail"
    ),
    path(
        f"{PORTAL}<str:number>/revisions/<int:revision>.pdf",
        portal.portal_certificate_pdf,
        name="portal-certificate-pdf",
    ),
]

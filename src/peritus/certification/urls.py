from django.urls import path

from peritus.certification.views import bulk, lifecycle, office, portal

app_name = "certification"

DECISIONS = "office/certification/decisions/"
FILES = "office/certification/applications/<str:reference>/"
CERTIFICATES = "office/certificates/"
PORTAL = "portal/certificates/"
CERTIFICATE = f"{CERTIFICATES}<str:number>/"
BULK = f"{CERTIFICATES}bulk/"

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
    # Before the certificate's own paths: "bulk" and "migrations" are not certificate numbers.
    path(f"{CERTIFICATES}suspensions/", lifecycle.suspension_list, name="suspension-list"),
    path(BULK, bulk.bulk_list, name="bulk-list"),
    path(f"{BULK}new/", bulk.bulk_create, name="bulk-create"),
    path(f"{BULK}migrations/new/", bulk.migration_create, name="migration-create"),
    path(f"{BULK}<str:reference>/", bulk.bulk_detail, name="bulk-detail"),
    path(f"{BULK}<str:reference>/confirm/", bulk.bulk_confirm, name="bulk-confirm"),
    path(f"{BULK}<str:reference>/run/", bulk.bulk_run, name="bulk-run"),
    path(f"{BULK}<str:reference>/cancel/", bulk.bulk_cancel, name="bulk-cancel"),
    path(f"{CERTIFICATE}suspend/", lifecycle.certificate_suspend, name="certificate-suspend"),
    path(
        f"{CERTIFICATE}suspension/extend/",
        lifecycle.certificate_extend_suspension,
        name="certificate-extend-suspension",
    ),
    path(f"{CERTIFICATE}reinstate/", lifecycle.certificate_reinstate, name="certificate-reinstate"),
    path(f"{CERTIFICATE}withdraw/", lifecycle.certificate_withdraw, name="certificate-withdraw"),
    path(
        f"{CERTIFICATE}reduce-scope/",
        lifecycle.certificate_reduce_scope,
        name="certificate-reduce-scope",
    ),
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
        f"{PORTAL}<str:number>/surrender/",
        lifecycle.portal_certificate_surrender,
        name="portal-certificate-surrender",
    ),
    path(
        f"{PORTAL}<str:number>/revisions/<int:revision>.pdf",
        portal.portal_certificate_pdf,
        name="portal-certificate-pdf",
    ),
]

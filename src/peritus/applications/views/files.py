"""Evidence is served only through this view, to people allowed to see it (never a public URL)."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from peritus.accounts.requests import actor_of
from peritus.applications.models import EvidenceFile
from peritus.applications.services import record_restricted_view
from peritus.core.access import get_object_for


@never_cache
@require_GET
def evidence_download(request: HttpRequest, reference: str, evidence_id: int) -> FileResponse:
    evidence = get_object_for(
        request.user,
        EvidenceFile.objects.select_related("application__person", "application__scheme"),
        view_perm="applications.view_evidence",
        pk=evidence_id,
        application__reference=reference,
    )
    if evidence.is_restricted and evidence.application.person.user_id != request.user.pk:
        record_restricted_view(actor=actor_of(request), evidence=evidence)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

"""Back-office pages of the item bank. Thin: parse, check access, call a service, show the result.

Item pages are for item authors, item reviewers and psychometricians of the bank's scheme only
(404 for everyone else, so a bank's existence does not leak).
"""

from __future__ import annotations

import difflib
import uuid
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peritus.accounts.requests import actor_of
from peritus.core.access import get_object_for
from peritus.core.errors import DomainError
from peritus.itembank import selectors, services
from peritus.itembank.forms import (
    AssembleForm,
    BlueprintForm,
    BulkForm,
    ExportForm,
    FormReviewForm,
    ImportForm,
    ItemForm,
    ReasonForm,
    ReviewForm,
    SearchForm,
)
from peritus.itembank.models import Blueprint, ExamForm, Item, ItemBank, ItemVersion, MediaFile
from peritus.itembank.presentation import present
from peritus.itembank.qti.content import content_from_dict
from peritus.itembank.qti.markup import flow_to_text, inline_to_text

UPLOAD_SESSION_KEY = "itembank_upload"


def _bank(request: HttpRequest, slug: str, perm: str | None = None) -> ItemBank:
    return get_object_for(
        request.user, ItemBank.objects.select_related("scheme"), view_perm="itembank.view_itembank",
        perm=perm, slug=slug,
    )  # fmt: skip


def _item(request: HttpRequest, bank: ItemBank, identifier: str, perm: str | None = None) -> Item:
    return get_object_for(
        request.user,
        Item.objects.select_related("bank__scheme", "current_version__stimulus", "competence_domain",
                                    "competence_task", "author"),
        view_perm="itembank.view_item", perm=perm, bank=bank, identifier=identifier,
    )  # fmt: skip


def _media_url(bank: ItemBank) -> Any:
    def url(path: str) -> str:
        return reverse("itembank:media", args=[bank.slug]) + "?path=" + quote(path)

    return url


def bank_list(request: HttpRequest) -> HttpResponse:
    if not selectors.is_item_staff(request.user):
        raise PermissionDenied(
            _("The item bank is for item authors, reviewers and psychometricians.")
        )
    return render(
        request, "itembank/bank_list.html", {"banks": selectors.list_banks_for(request.user)}
    )


@require_http_methods(["GET", "POST"])
def bank_detail(request: HttpRequest, slug: str) -> HttpResponse:
    bank = _bank(request, slug)
    search = SearchForm(request.GET or None, scheme_id=bank.scheme_id)
    filters: dict[str, Any] = search.cleaned_data if search.is_valid() else {}
    items = selectors.search_items(
        bank, text=filters.get("q", ""), status=filters.get("status", ""),
        interaction=filters.get("interaction", ""), level=filters.get("level", ""), tag=filters.get("tag", ""),
        domain_id=filters["domain"].pk if filters.get("domain") else None,
    )  # fmt: skip
    bulk = BulkForm(request.POST or None)
    if request.method == "POST" and bulk.is_valid():
        chosen = list(items.filter(identifier__in=request.POST.getlist("selected")))
        done = 0
        for item in chosen:
            try:
                if bulk.cleaned_data["action"] == "submit":
                    services.submit_item(actor=actor_of(request), item=item)
                else:
                    services.classify_item(
                        actor=actor_of(request), item=item, competence_domain=item.competence_domain,
                        competence_task=item.competence_task, cognitive_level=item.cognitive_level,
                        tags=[*item.tags, bulk.cleaned_data["tag"]],
                    )  # fmt: skip
                done += 1
            except DomainError as error:
                messages.warning(request, f"{item.identifier}: {error.message}")
        messages.success(request, _("%(count)d item(s) updated.") % {"count": done})
        return redirect(request.get_full_path())
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "itembank/bank_detail.html",
        {
            "bank": bank, "page": page, "search": search, "bulk": bulk,
            "may_add": request.user.has_perm("itembank.add_item", bank),
            "may_import": request.user.has_perm("itembank.import_qti", bank),
            "may_export": request.user.has_perm("itembank.export_qti", bank),
            "query": request.GET.urlencode(),
        },
    )  # fmt: skip


def _save_item(
    request: HttpRequest, bank: ItemBank, form: ItemForm, item: Item | None
) -> Item | None:
    data = form.cleaned_data
    tags = [t.strip() for t in (data.get("tags") or "").split(",") if t.strip()]
    try:
        content = form.content()
        if item is None:
            return services.create_item(
                actor=actor_of(request), bank=bank, identifier=data["identifier"], title=data["title"],
                content=content, competence_domain=data.get("competence_domain"),
                competence_task=data.get("competence_task"), cognitive_level=data.get("cognitive_level") or "",
                tags=tags, references=data.get("references") or "",
            )  # fmt: skip
        services.revise_item(
            actor=actor_of(request), item=item, content=content, title=data["title"],
            references=data.get("references") or "", change_note=data.get("change_note") or "",
        )  # fmt: skip
        services.classify_item(
            actor=actor_of(request), item=item, competence_domain=data.get("competence_domain"),
            competence_task=data.get("competence_task"), cognitive_level=data.get("cognitive_level") or "",
            tags=tags,
        )  # fmt: skip
        return item
    except DomainError as error:
        form.add_error(None, error.message)
        return None


@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest, slug: str) -> HttpResponse:
    bank = _bank(request, slug, perm="itembank.add_item")
    form = ItemForm(request.POST or None, scheme_id=bank.scheme_id)
    if request.method == "POST" and form.is_valid():
        item = _save_item(request, bank, form, None)
        if item is not None:
            messages.success(request, _("Item %(id)s saved as a draft.") % {"id": item.identifier})
            return redirect("itembank:item-detail", bank.slug, item.identifier)
    return render(request, "itembank/item_form.html", {"bank": bank, "form": form, "item": None})


@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, slug: str, identifier: str) -> HttpResponse:
    bank = _bank(request, slug)
    item = _item(request, bank, identifier, perm="itembank.change_item")
    version = item.current_version
    initial: dict[str, Any] = {}
    if version is not None:
        initial = ItemForm.initial_from(content_from_dict(version.content))
        initial |= {"identifier": item.identifier, "title": version.title, "references": version.references,
                    "competence_domain": item.competence_domain, "competence_task": item.competence_task,
                    "cognitive_level": item.cognitive_level, "tags": ", ".join(item.tags)}  # fmt: skip
    form = ItemForm(request.POST or None, initial=initial, scheme_id=bank.scheme_id, editing=True)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save_item(request, bank, form, item) is not None
    ):
        messages.success(request, _("A new version was saved; it needs review again."))
        return redirect("itembank:item-detail", bank.slug, item.identifier)
    return render(request, "itembank/item_form.html", {"bank": bank, "form": form, "item": item})


def item_detail(request: HttpRequest, slug: str, identifier: str) -> HttpResponse:
    bank = _bank(request, slug)
    item = _item(request, bank, identifier)
    version = item.current_version
    content = content_from_dict(version.content) if version else None
    user = request.user
    return render(
        request,
        "itembank/item_detail.html",
        {
            "bank": bank, "item": item, "version": version, "content": content,
            "options": [
                {"option": o, "text": inline_to_text(o.text), "correct": o.identifier in (content.key if content else ())}
                for o in (content.options if content else ())
            ],
            "stem_text": flow_to_text(content.stem) if content else "",
            "stimulus_text": flow_to_text(version.stimulus.body) if version and version.stimulus else "",
            "versions": selectors.list_versions(item),
            "reviews": selectors.list_reviews(item),
            "statistics": selectors.list_statistics_history(item),
            "review_form": ReviewForm(),
            "reason_form": ReasonForm(),
            "may_change": user.has_perm("itembank.change_item", item),
            "may_review": user.has_perm("itembank.review_item", item),
            "may_manage": user.has_perm("itembank.manage_item_lifecycle", item),
        },
    )  # fmt: skip


def item_preview(request: HttpRequest, slug: str, identifier: str) -> HttpResponse:
    bank = _bank(request, slug)
    item = _item(request, bank, identifier)
    number = request.GET.get("version")
    version: ItemVersion | None = item.current_version
    if number and number.isdigit():
        version = item.versions.filter(number=int(number)).first()
    if version is None:
        raise Http404
    presented = present(
        content_from_dict(version.content), media_url=_media_url(bank),
        stimulus=version.stimulus.body if version.stimulus else "",
    )  # fmt: skip
    return render(
        request,
        "itembank/item_preview.html",
        {"bank": bank, "item": item, "version": version, "p": presented},
    )


def item_diff(request: HttpRequest, slug: str, identifier: str) -> HttpResponse:
    bank = _bank(request, slug)
    item = _item(request, bank, identifier)
    versions = {v.number: v for v in item.versions.all()}
    numbers = sorted(versions)
    try:
        a = int(request.GET.get("a") or (numbers[-2] if len(numbers) > 1 else numbers[-1]))
        b = int(request.GET.get("b") or numbers[-1])
        left, right = versions[a], versions[b]
    except (ValueError, KeyError, IndexError):
        raise Http404 from None

    def lines(v: ItemVersion) -> list[str]:
        c = content_from_dict(v.content)
        out = [f"{_('Title')}: {v.title}", f"{_('Interaction')}: {v.get_interaction_display()}", ""]
        out += [*flow_to_text(c.stem).splitlines(), ""]
        if c.prompt:
            out += [f"{_('Prompt')}: {inline_to_text(c.prompt)}"]
        out += [
            f"{o.identifier}. {inline_to_text(o.text)}"
            + (f"  ({o.rationale})" if o.rationale else "")
            for o in c.options
        ]
        out += ["", f"{_('Key')}: {', '.join(c.key)}", f"{_('Points')}: {c.max_score:g}"]
        return out

    rows = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=lines(left), b=lines(right)).get_opcodes():
        left_lines, right_lines = lines(left)[i1:i2], lines(right)[j1:j2]
        for n in range(max(len(left_lines), len(right_lines))):
            rows.append({
                "tag": tag,
                "left": left_lines[n] if n < len(left_lines) else "",
                "right": right_lines[n] if n < len(right_lines) else "",
            })  # fmt: skip
    return render(request, "itembank/item_diff.html",
                  {"bank": bank, "item": item, "left": left, "right": right, "rows": rows, "numbers": numbers})  # fmt: skip


@require_POST
def item_action(request: HttpRequest, slug: str, identifier: str, action: str) -> HttpResponse:
    bank = _bank(request, slug)
    item = _item(request, bank, identifier)
    actor = actor_of(request)
    try:
        if action == "submit":
            services.submit_item(actor=actor, item=item)
            messages.success(request, _("Sent for review."))
        elif action == "review":
            form = ReviewForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Choose a decision."))
                return redirect("itembank:item-detail", bank.slug, item.identifier)
            services.review_item(actor=actor, item=item, decision=form.cleaned_data["decision"],
                                 comment=form.cleaned_data["comment"])  # fmt: skip
            messages.success(request, _("Your review is recorded."))
        elif action == "pilot":
            services.pilot_item(actor=actor, item=item)
        elif action == "operational":
            services.make_item_operational(actor=actor, item=item)
        elif action == "retire":
            services.retire_item(actor=actor, item=item, reason=request.POST.get("reason", ""))
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("itembank:item-detail", bank.slug, item.identifier)


def media(request: HttpRequest, slug: str) -> HttpResponseBase:
    bank = _bank(request, slug)
    row = MediaFile.objects.filter(bank=bank, path=request.GET.get("path", "")).first()
    if row is None or not default_storage.exists(row.storage_name):
        raise Http404
    response = FileResponse(
        default_storage.open(row.storage_name, "rb"), content_type=row.content_type
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def qti_import(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload → dry-run report → confirm. The upload waits in private storage between the two."""
    bank = _bank(request, slug, perm="itembank.import_qti")
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    token = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("package")
        token = form.cleaned_data.get("token") or ""
        pending = request.session.get(UPLOAD_SESSION_KEY, {})
        if upload is not None:
            token = uuid.uuid4().hex
            name = default_storage.save(f"itembank/uploads/{token}.zip", ContentFile(upload.read()))
            pending = {"token": token, "name": name, "bank": bank.slug}
            request.session[UPLOAD_SESSION_KEY] = pending
        if not token or pending.get("token") != token or pending.get("bank") != bank.slug:
            form.add_error("package", _("Choose the package to upload."))
        else:
            dry_run = bool(form.cleaned_data.get("dry_run")) and upload is not None
            with default_storage.open(pending["name"], "rb") as handle:
                try:
                    report = services.import_qti_package(
                        actor=actor_of(request),
                        source=handle.read(),
                        bank_slug=bank.slug,
                        dry_run=dry_run,
                    )
                except DomainError as error:
                    form.add_error(None, error.message)
            if report is not None and (not dry_run or report.refused):
                default_storage.delete(pending["name"])
                request.session.pop(UPLOAD_SESSION_KEY, None)
                token = ""
            if report is not None and not report.refused and not dry_run:
                messages.success(
                    request, _("%(count)d item(s) imported.") % {"count": report.items_imported}
                )
    return render(
        request,
        "itembank/qti_import.html",
        {"bank": bank, "form": form, "report": report, "token": token},
    )


@require_http_methods(["GET", "POST"])
def qti_export(request: HttpRequest, slug: str) -> HttpResponse:
    bank = _bank(request, slug, perm="itembank.export_qti")
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        try:
            data = services.export_qti_package(actor=actor_of(request), bank=bank, version=version)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            response = HttpResponse(data, content_type="application/zip")
            filename = f"{bank.slug}-qti{version.replace('.', '')}.zip"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            response["Cache-Control"] = "private, no-store"
            return response
    return render(request, "itembank/qti_export.html", {"bank": bank, "form": form})


def form_list(request: HttpRequest, slug: str) -> HttpResponse:
    bank = _bank(request, slug)
    if not request.user.has_perm("itembank.view_form", bank):
        raise PermissionDenied
    blueprints = (
        Blueprint.objects.filter(bank=bank)
        .select_related("component")
        .prefetch_related("rows__competence_domain")
    )
    return render(
        request,
        "itembank/form_list.html",
        {"bank": bank, "blueprints": blueprints, "forms": selectors.list_forms(bank), "assemble_form": AssembleForm(),
         "may_assemble": request.user.has_perm("itembank.assemble_form", bank),
         "may_manage": request.user.has_perm("itembank.manage_blueprint", bank)},
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def blueprint_create(request: HttpRequest, slug: str) -> HttpResponse:
    bank = _bank(request, slug, perm="itembank.manage_blueprint")
    form = BlueprintForm(request.POST or None, scheme_id=bank.scheme_id)
    if request.method == "POST" and form.is_valid():
        rows = [services.RowInput(domain, count) for domain, count in form.rows()]
        try:
            blueprint = services.create_blueprint(
                actor=actor_of(request), bank=bank, component=form.cleaned_data["component"],
                name=form.cleaned_data["name"], total_items=sum(r.item_count for r in rows),
                time_limit_minutes=form.cleaned_data["time_limit_minutes"], rows=rows,
                pass_mark=form.cleaned_data["pass_mark"], target_mean_p=form.cleaned_data.get("target_mean_p"),
            )  # fmt: skip
            if request.POST.get("approve"):
                services.approve_blueprint(actor=actor_of(request), blueprint=blueprint)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Blueprint saved."))
            return redirect("itembank:form-list", bank.slug)
    return render(request, "itembank/blueprint_form.html", {"bank": bank, "form": form})


@require_POST
def blueprint_approve(request: HttpRequest, slug: str, blueprint_id: int) -> HttpResponse:
    bank = _bank(request, slug, perm="itembank.manage_blueprint")
    blueprint = Blueprint.objects.filter(bank=bank, pk=blueprint_id).first()
    if blueprint is None:
        raise Http404
    try:
        services.approve_blueprint(actor=actor_of(request), blueprint=blueprint)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("itembank:form-list", bank.slug)


@require_POST
def form_assemble(request: HttpRequest, slug: str, blueprint_id: int) -> HttpResponse:
    bank = _bank(request, slug, perm="itembank.assemble_form")
    blueprint = Blueprint.objects.filter(bank=bank, pk=blueprint_id).first()
    if blueprint is None:
        raise Http404
    form = AssembleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a form code of capitals, digits and dashes."))
        return redirect("itembank:form-list", bank.slug)
    try:
        forms = services.assemble_forms(
            actor=actor_of(request), blueprint=blueprint, code_prefix=form.cleaned_data["code_prefix"],
            count=form.cleaned_data["count"],
        )  # fmt: skip
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("itembank:form-list", bank.slug)
    messages.success(
        request, _("Assembled: %(codes)s.") % {"codes": ", ".join(f.code for f in forms)}
    )
    return redirect("itembank:form-detail", bank.slug, forms[0].code)


def _form(request: HttpRequest, bank: ItemBank, code: str) -> ExamForm:
    return get_object_for(
        request.user, ExamForm.objects.select_related("blueprint__component", "assembled_by", "approved_by"),
        view_perm="itembank.view_form", blueprint__bank=bank, code=code,
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def form_detail(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    bank = _bank(request, slug)
    exam_form = _form(request, bank, code)
    review = FormReviewForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "submit":
                services.submit_form(actor=actor_of(request), form=exam_form)
                messages.success(request, _("Sent for review."))
            elif review.is_valid():
                services.review_form(actor=actor_of(request), form=exam_form,
                                     approve=review.cleaned_data["decision"] == "approve",
                                     comment=review.cleaned_data["comment"])  # fmt: skip
                messages.success(request, _("Your review is recorded."))
            else:
                messages.error(request, _("Choose a decision."))
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("itembank:form-detail", bank.slug, exam_form.code)
    entries = exam_form.entries.select_related("item_version__item__competence_domain")
    return render(
        request,
        "itembank/form_detail.html",
        {"bank": bank, "exam_form": exam_form, "entries": entries, "review": review,
         "may_assemble": request.user.has_perm("itembank.assemble_form", bank),
         "may_approve": request.user.has_perm("itembank.approve_form", bank),
         "may_print": request.user.has_perm("itembank.print_form", bank)},
    )  # fmt: skip


def form_pdf(request: HttpRequest, slug: str, code: str, kind: str) -> HttpResponse:
    bank = _bank(request, slug, perm="itembank.print_form")
    exam_form = _form(request, bank, code)
    try:
        data = services.print_form(actor=actor_of(request), form=exam_form, kind=kind)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("itembank:form-detail", bank.slug, exam_form.code)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{exam_form.code}-{kind}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response

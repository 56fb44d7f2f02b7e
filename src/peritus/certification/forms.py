from __future__ import annotations

from typing import Any, override

from django import forms
from django.utils.translation import gettext_lazy as _

from peritus.applications.models import Application
from peritus.certification.models import CertificateStatus, DecisionOutcome, ReissueReason
from peritus.schemes.models import SchemeVersion, SchemeVersionStatus, ScopeItem


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=DecisionOutcome.choices, widget=forms.RadioSelect
    )
    scope_items = forms.ModelMultipleChoiceField(
        label=_("Scope granted"),
        queryset=ScopeItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For a grant: the scope items the evidence supports."),
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=_(
            "The reasons, as the candidate will read them. A refusal tells them of their right to "
            "appeal."
        ),
    )

    def __init__(self, *args: Any, application: Application, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        requested = application.requested_scope.all()
        queryset = requested if requested.exists() else application.scheme_version.scope_items.all()
        field = self.fields["scope_items"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = queryset.order_by("position", "code")
        if not self.is_bound:
            self.initial.setdefault("scope_items", list(field.queryset))


class IssueForm(forms.Form):
    valid_from = forms.DateField(
        label=_("Effective from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: today. Never before the decision."),
    )


class BulkIssueForm(forms.Form):
    decisions = forms.MultipleChoiceField(label=_("Decisions"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["decisions"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = choices


class ReissueForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why"),
        choices=[
            (ReissueReason.NAME_CHANGE, ReissueReason.NAME_CHANGE.label),
            (ReissueReason.CORRECTION, ReissueReason.CORRECTION.label),
        ],
    )
    note = forms.CharField(
        label=_("What changes and on what evidence"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class TermsForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I have read these rules and I accept them."),
        required=True,
    )


class CertificateSearchForm(forms.Form):
    q = forms.CharField(label=_("Number or name"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *CertificateStatus.choices],
    )


# Lifecycle after issue (9.5): each form is shown, then confirmed, then the service decides ------

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label=_("Reasons for the suspension"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("As the holder will read them in the notice."),
    )
    conditions = forms.CharField(
        label=_("Conditions for reinstatement"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_("What the holder must do, and show, to be reinstated."),
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        widget=DATE_INPUT,
        help_text=_("If the conditions are not met by then, withdrawal is proposed."),
    )


class ExtendSuspensionForm(forms.Form):
    deadline = forms.DateField(label=_("New deadline"), widget=DATE_INPUT)
    reason = forms.CharField(
        label=_("Why the deadline moves"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class ReinstateForm(forms.Form):
    rationale = forms.CharField(
        label=_("How the conditions were met"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("The evidence you checked, as the holder will read it."),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reasons for the withdrawal"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_(
            "The notice also tells the holder to stop using the certificate and the marks at "
            "once, and how to appeal."
        ),
    )


class ReduceScopeForm(forms.Form):
    removed = forms.ModelMultipleChoiceField(
        label=_("Scope items to remove"),
        queryset=ScopeItem.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The certificate is reissued with the items you leave unticked."),
        error_messages={"required": _("Choose at least one scope item to remove.")},
    )
    reason = forms.CharField(
        label=_("Reasons for the reduction"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )

    def __init__(self, *args: Any, held: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["removed"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = held


class SurrenderForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you give it up (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    understood = forms.BooleanField(
        label=_(
            "I understand that the certificate will show as withdrawn from today, that I must "
            "stop using it and the marks, and that this cannot be undone."
        ),
        error_messages={"required": _("Tick the box to confirm that you understand.")},
    )


class BulkOperationForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to do"), widget=forms.RadioSelect)
    numbers = forms.CharField(
        label=_("Certificate numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=100_000,
        help_text=_("One number a line (commas or spaces also work)."),
    )
    upload = forms.FileField(
        label=_("Or upload a list"),
        required=False,
        help_text=_("A text or CSV file with one number a line (first column)."),
    )
    reason = forms.CharField(
        label=_("Reasons"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_(
            "For a suspension or withdrawal every holder reads them in the notice, e.g. the "
            "annual fee unpaid. Optional for reminders."
        ),
    )
    conditions = forms.CharField(
        label=_("Conditions for reinstatement (suspension)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )
    deadline = forms.DateField(label=_("Deadline (suspension)"), required=False, widget=DATE_INPUT)

    MAX_UPLOAD = 1_000_000

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = kinds
        if len(kinds) == 1:
            self.initial.setdefault("kind", kinds[0][0])

    def list_text(self) -> str:
        """The pasted numbers and those of the uploaded file's first column."""
        text = self.cleaned_data.get("numbers") or ""
        upload = self.cleaned_data.get("upload")
        if upload is not None:
            raw = upload.read(self.MAX_UPLOAD + 1)
            lines = raw.decode("utf-8-sig", errors="replace").splitlines()
            text += "\n" + "\n".join(line.split(",")[0].split(";")[0] for line in lines)
        return text

    @override
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("upload")
        if upload is not None and upload.size > self.MAX_UPLOAD:
            self.add_error("upload", _("The file is too large (at most 1 MB)."))
        if not (cleaned.get("numbers") or "").strip() and upload is None:
            self.add_error("numbers", _("Paste the certificate numbers or upload a file."))
        return cleaned


class VersionChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    @override
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.scheme.name} {obj.version} ({obj.get_status_display()})"


class MigrationForm(forms.Form):
    source = VersionChoiceField(
        label=_("Holders of version"),
        queryset=SchemeVersion.objects.none(),
        help_text=_("Every valid or suspended certificate of this version is listed."),
    )
    target = VersionChoiceField(
        label=_("Move them to"),
        queryset=SchemeVersion.objects.none(),
        help_text=_("The published version of the same scheme."),
    )
    effective_on = forms.DateField(
        label=_("Transition date"),
        widget=DATE_INPUT,
        help_text=_("Today, or a later date on which the move is carried out."),
    )
    reason = forms.CharField(
        label=_("Why the holders move"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_("Every holder reads it in the notice."),
    )

    def __init__(self, *args: Any, scheme_ids: set[int] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        versions = SchemeVersion.objects.select_related("scheme").order_by(
            "scheme__name", "version"
        )
        if scheme_ids is not None:
            versions = versions.filter(scheme_id__in=scheme_ids)
        source = self.fields["source"]
        target = self.fields["target"]
        assert isinstance(source, forms.ModelChoiceField)
        assert isinstance(target, forms.ModelChoiceField)
        source.queryset = versions.filter(certificates__isnull=False).distinct()
        target.queryset = versions.filter(status=SchemeVersionStatus.PUBLISHED)

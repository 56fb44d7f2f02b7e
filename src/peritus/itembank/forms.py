"""Forms of the item bank pages. They parse what a person typed; services hold the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peritus.itembank.models import CognitiveLevel, InteractionKind, ItemStatus, ReviewDecision
from peritus.itembank.qti.content import (
    InteractionType,
    ItemContent,
    Option,
    Scoring,
    ScoringMethod,
)
from peritus.itembank.qti.markup import (
    flow_to_text,
    inline_to_text,
    text_to_flow,
    text_to_inline,
)
from peritus.schemes.models import AssessmentComponent, CompetenceDomain, CompetenceTask

OPTIONS_HELP = _(
    "One option per line: identifier | text | why it is right or wrong (optional). "
    "For matching items, start the lines of the right-hand column with “>”."
)
KEY_HELP = _(
    "Identifiers of the correct options, separated by commas (in order for ordering items); "
    "pairs such as “A X, B Y” for matching; the expected answer for text or numeric entry."
)


class ItemForm(forms.Form):
    identifier = forms.RegexField(
        label=_("Identifier"),
        regex=r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$",
        help_text=_("Unique in the bank; letters, digits, “-”, “_” and “.”"),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    interaction = forms.ChoiceField(label=_("Interaction"), choices=InteractionKind.choices)
    stem = forms.CharField(
        label=_("Stem"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Blank lines separate paragraphs. For text entry and inline choice, type [[gap]] where the answer goes."
        ),
    )
    prompt = forms.CharField(label=_("Prompt"), required=False, max_length=500)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=OPTIONS_HELP,
    )
    key = forms.CharField(label=_("Key"), required=False, max_length=500, help_text=KEY_HELP)
    points = forms.DecimalField(
        label=_("Points"),
        min_value=Decimal("0.5"),
        max_value=Decimal(100),
        initial=1,
        decimal_places=2,
    )
    rubric = forms.CharField(
        label=_("Marking rubric"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For extended responses: what earns the points."),
    )  # fmt: skip
    competence_domain = forms.ModelChoiceField(
        label=_("Competence domain"), queryset=CompetenceDomain.objects.none(), required=False
    )
    competence_task = forms.ModelChoiceField(
        label=_("Task"), queryset=CompetenceTask.objects.none(), required=False
    )
    cognitive_level = forms.ChoiceField(
        label=_("Cognitive level"), choices=[("", "—"), *CognitiveLevel.choices], required=False
    )
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas"))
    references = forms.CharField(
        label=_("References"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    change_note = forms.CharField(label=_("What changed"), required=False, max_length=300)

    def __init__(self, *args: Any, scheme_id: int, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        domains = CompetenceDomain.objects.filter(
            scheme_version__scheme_id=scheme_id
        ).select_related("scheme_version")
        self.fields["competence_domain"].queryset = domains  # type: ignore[attr-defined]
        self.fields["competence_task"].queryset = CompetenceTask.objects.filter(domain__in=domains)  # type: ignore[attr-defined]
        if editing:
            self.fields["identifier"].disabled = True
            self.fields["identifier"].required = False
        else:
            del self.fields["change_note"]

    def content(self) -> ItemContent:
        data = self.cleaned_data
        kind = InteractionType(data["interaction"])
        options = []
        for raw_line in (data.get("options") or "").splitlines():
            line = raw_line.strip()
            if not line:
                continue
            match_set = 0
            if line.startswith(">"):
                match_set, line = 1, line[1:]
            parts = [p.strip() for p in line.split("|")]
            identifier, text = parts[0], parts[1] if len(parts) > 1 else parts[0]
            rationale = parts[2] if len(parts) > 2 else ""
            options.append(
                Option(identifier, text_to_inline(text), rationale=rationale, match_set=match_set)
            )
        if kind is InteractionType.TRUE_FALSE and not options:
            options = [Option("true", str(_("True"))), Option("false", str(_("False")))]
        raw_key = (data.get("key") or "").strip()
        key: tuple[str, ...]
        if kind in {InteractionType.TEXT_ENTRY, InteractionType.NUMERIC_ENTRY}:
            key = (raw_key,) if raw_key else ()
        else:
            key = tuple(" ".join(k.split()) for k in raw_key.split(",") if k.strip())
        points = float(data["points"])
        scoring = Scoring(
            method=ScoringMethod.RUBRIC
            if kind is InteractionType.EXTENDED_RESPONSE
            else ScoringMethod.MATCH_CORRECT,
            points=points,
        )
        return ItemContent(
            interaction=kind,
            stem=text_to_flow(data["stem"]),
            prompt=text_to_inline(data.get("prompt") or ""),
            options=tuple(options),
            key=key,
            scoring=scoring,
            rubric=text_to_flow(data.get("rubric") or ""),
        )

    @staticmethod
    def initial_from(content: ItemContent) -> dict[str, Any]:
        lines = []
        for option in content.options:
            prefix = "> " if option.match_set else ""
            rationale = f" | {option.rationale}" if option.rationale else ""
            lines.append(f"{prefix}{option.identifier} | {inline_to_text(option.text)}{rationale}")
        return {
            "interaction": content.interaction.value,
            "stem": flow_to_text(content.stem),
            "prompt": inline_to_text(content.prompt),
            "options": "\n".join(lines),
            "key": ", ".join(content.key),
            "points": Decimal(str(content.max_score)),
            "rubric": flow_to_text(content.rubric),
        }


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=ReviewDecision.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any")), *ItemStatus.choices], required=False
    )
    interaction = forms.ChoiceField(
        label=_("Interaction"), choices=[("", _("Any")), *InteractionKind.choices], required=False
    )
    level = forms.ChoiceField(
        label=_("Level"), choices=[("", _("Any")), *CognitiveLevel.choices], required=False
    )
    tag = forms.CharField(label=_("Tag"), required=False)
    domain = forms.ModelChoiceField(
        label=_("Domain"), queryset=CompetenceDomain.objects.none(), required=False
    )

    def __init__(self, *args: Any, scheme_id: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["domain"].queryset = CompetenceDomain.objects.filter(  # type: ignore[attr-defined]
            scheme_version__scheme_id=scheme_id
        ).select_related("scheme_version")


class BulkForm(forms.Form):
    ACTIONS = [("submit", _("Send to review")), ("tag", _("Add a tag"))]
    action = forms.ChoiceField(label=_("With the selected items"), choices=ACTIONS)
    tag = forms.CharField(label=_("Tag to add"), required=False, max_length=50)


class ImportForm(forms.Form):
    package = forms.FileField(label=_("QTI package (.zip)"), required=False)
    dry_run = forms.BooleanField(label=_("Check only (dry run)"), required=False, initial=True)
    token = forms.CharField(required=False, widget=forms.HiddenInput)


class ExportForm(forms.Form):
    version = forms.ChoiceField(
        label=_("QTI version"), choices=[("3.0", "QTI 3.0"), ("2.1", "QTI 2.1")]
    )


class AssembleForm(forms.Form):
    code_prefix = forms.RegexField(label=_("Form code"), regex=r"^[A-Z0-9][A-Z0-9-]{1,24}$",
                                   help_text=_("Capitals, digits and dashes; parallel forms get -A, -B …"))  # fmt: skip
    count = forms.IntegerField(
        label=_("Number of parallel forms"), min_value=1, max_value=10, initial=1
    )


class FormReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve and freeze")), ("return", _("Return for changes"))],
        widget=forms.RadioSelect,
    )  # fmt: skip
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class BlueprintForm(forms.Form):
    """A blueprint: its component, length, time, pass rule, and item counts per domain."""

    name = forms.CharField(label=_("Name"), max_length=200)
    component = forms.ModelChoiceField(
        label=_("Exam component"), queryset=AssessmentComponent.objects.none()
    )
    time_limit_minutes = forms.IntegerField(
        label=_("Time limit (minutes)"), min_value=1, max_value=600
    )
    pass_mark = forms.DecimalField(
        label=_("Pass mark (raw score)"), min_value=Decimal(0), decimal_places=2
    )
    target_mean_p = forms.FloatField(
        label=_("Target mean difficulty (p)"), required=False, min_value=0.05, max_value=0.95,
        help_text=_("Used when the items have statistics; leave empty for none."),
    )  # fmt: skip

    def __init__(self, *args: Any, scheme_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["component"].queryset = AssessmentComponent.objects.filter(  # type: ignore[attr-defined]
            scheme_version__scheme_id=scheme_id
        ).select_related("scheme_version")
        self.domains = list(
            CompetenceDomain.objects.filter(scheme_version__scheme_id=scheme_id)
            .select_related("scheme_version")
            .order_by("scheme_version_id", "position", "code")
        )
        for domain in self.domains:
            self.fields[f"domain_{domain.pk}"] = forms.IntegerField(
                label=_("Items from %(domain)s (version %(version)s)")
                % {"domain": domain, "version": domain.scheme_version.version},
                min_value=0, max_value=500, required=False, initial=0,
            )  # fmt: skip

    def rows(self) -> list[tuple[Any, int]]:
        return [
            (domain, self.cleaned_data.get(f"domain_{domain.pk}") or 0)
            for domain in self.domains
            if self.cleaned_data.get(f"domain_{domain.pk}")
        ]

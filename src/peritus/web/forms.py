"""Form rendering: labelled fields, help and errors tied to inputs with aria-describedby."""

from __future__ import annotations

from django.forms.renderers import TemplatesSetting


class PeritusFormRenderer(TemplatesSetting):
    form_template_name = "web/forms/form.html"
    field_template_name = "web/forms/field.html"

from __future__ import annotations

from django import forms

from peritus.web.forms import PeritusFormRenderer


class ChoiceForm(forms.Form):
    level = forms.ChoiceField(
        label="Level", choices=[("1", "Level 1"), ("2", "Level 2")], widget=forms.RadioSelect
    )
    name = forms.CharField(label="Name", help_text="As on your identity document")


def test_a_radio_group_is_a_fieldset_with_a_legend_and_labelled_choices() -> None:
    html = ChoiceForm(renderer=PeritusFormRenderer()).render()

    assert "<fieldset" in html
    assert "<legend>Level" in html
    assert '<label for="id_level_0">Level 1</label>' in html


def test_errors_are_summarised_and_tied_to_their_field() -> None:
    form = ChoiceForm(data={}, renderer=PeritusFormRenderer())
    form.is_valid()

    html = form.render()

    assert 'class="error-summary"' in html
    assert 'href="#id_name"' in html
    assert 'id="id_name_error"' in html

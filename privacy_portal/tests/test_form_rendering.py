"""Every form through the portal's renderer: an error summary on top that links to each field."""

import re

import pytest
from django import forms
from django.template import Context, Template

from privacy_portal.templatetags.portal import field_anchor

pytestmark = pytest.mark.django_db


class _Choices(forms.Form):
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    name = forms.CharField(label="Name")
    agree = forms.BooleanField(label="I agree")
    token = forms.CharField(widget=forms.HiddenInput)


def test_the_summary_links_each_field_error_to_its_input():
    form = _Choices(data={})
    html = Template('{% include "includes/error_summary.html" %}').render(Context({"form": form}))
    assert 'role="alert"' in html and 'tabindex="-1"' in html and "data-error-summary" in html
    assert re.findall(r'href="#([^"]+)"', html) == ["id_kind_0", "id_name", "id_agree"]
    assert "请检查您填写的内容" in html
    assert "Name：此栏为必填项。" in html
    # A hidden field's error is said, but leads nowhere a person could go.
    assert 'href="#id_token"' not in html and html.count("<li>") == 4


def test_no_summary_for_a_form_without_errors():
    form = _Choices(data={"kind": "a", "name": "x", "agree": "on", "token": "t"})
    assert form.is_valid()
    assert Template('{% include "includes/error_summary.html" %}').render(Context({"form": form})).strip() == ""


def test_a_whole_form_draws_the_summary_first_then_fields_with_their_errors():
    html = str(_Choices(data={"kind": "z"}))
    assert html.index("data-error-summary") < html.index('name="name"')
    assert 'class="field field-has-error"' in html
    assert re.search(r'<input[^>]*name="name"[^>]*aria-invalid="true"', html)
    # A lone checkbox comes before its label, the label being part of its target.
    checkbox_then_label = (
        r'<div class="choice"><input type="checkbox"[^>]*id="id_agree"[^>]*>'
        r'\s*<label for="id_agree"'
    )
    assert re.search(checkbox_then_label, html)


def test_field_anchor_is_the_first_option_of_a_group_else_the_input():
    form = _Choices()
    assert field_anchor(form["kind"]) == "id_kind_0"
    assert field_anchor(form["name"]) == "id_name"


def test_an_empty_complaint_shows_the_summary_with_links_to_its_fields(client):
    page = client.post("/requests/complaint/", {})
    assert page.status_code == 200
    html = page.content.decode()
    summary = html[html.index("data-error-summary") : html.index("</ul>", html.index("data-error-summary"))]
    assert set(re.findall(r'href="#([^"]+)"', summary)) == {"id_subject", "id_message", "id_contact_email"}

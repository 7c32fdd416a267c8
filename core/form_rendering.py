"""How every form on the portal is drawn: one renderer, set as ``FORM_RENDERER``.

``TemplatesSetting`` looks in the project's ``templates/`` (and Django's own
widget templates through the ``django.forms`` app), so the portal's form and
field layouts live beside the pages that use them: the error summary at the
top of a form and a field's label, help, errors and input in one place, for
Django, allauth and admin-free citizen forms alike.
"""

from django.forms.renderers import TemplatesSetting


class PortalFormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"

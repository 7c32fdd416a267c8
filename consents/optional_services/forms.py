from django import forms

from .selectors import service_fields


class EnrolmentForm(forms.Form):
    """Exactly the fields the service declares, each required, trimmed, bounded."""

    def __init__(self, *args, service, **kwargs):
        super().__init__(*args, **kwargs)
        for field in service_fields(service=service):
            self.fields[field.name] = forms.CharField(
                label=field.label, max_length=field.max_length, required=True, strip=True
            )

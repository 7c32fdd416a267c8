"""Text-direction overrides and other invisible controls never get into a name, an address or a number."""

import pytest
from django.core.exceptions import ValidationError

from core.validators import refuse_invisible_controls

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


@pytest.mark.parametrize("control", [*BIDI, "\x00", "\u200b", "\ufeff"])
def test_controls_are_refused(control):
    with pytest.raises(ValidationError) as refused:
        refuse_invisible_controls(f"张三{control}丰")
    assert refused.value.code == "control_characters"


@pytest.mark.parametrize("text", ["张三丰", "Zhang San-feng", "O'Brien", "天河路385号 3栋"])
def test_ordinary_text_passes(text):
    assert refuse_invisible_controls(text) == text

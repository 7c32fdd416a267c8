"""JSON log lines stay valid JSON, with personal data masked in every field."""

import json
import logging

import pytest

from core.log_format import JsonFormatter

ID_NUMBER, MOBILE, EMAIL, CARD = "110101199003077777", "13800138000", "zhang.san@example.cn", "6222021234567890128"


def _line(message: str, **extra) -> dict:
    record = logging.LogRecord("portal.test", logging.INFO, __file__, 1, message, None, None)
    record.request_id = "req-1"
    for key, value in extra.items():
        setattr(record, key, value)
    text = JsonFormatter().format(record)
    assert "\n" not in text
    return json.loads(text)


@pytest.mark.parametrize(
    "extra",
    [
        {"task_args": f"('direct', 'ID {ID_NUMBER}, mobile {MOBILE}, email {EMAIL}')", "task_kwargs": "{}"},
        {"data": {"id": ID_NUMBER, "list": [MOBILE, CARD], "quoted": f'"{EMAIL}"'}},
        {"numbers": [1234, 5678, 9012, 3456], "mobile_as_number": int(MOBILE)},
        {"card_spaced": "6222 0212 3456 7890 128", "seq": 42},
    ],
)
def test_every_field_is_masked_and_the_line_is_valid_json(extra):
    record = _line(f"ID {ID_NUMBER} mobile {MOBILE}", **extra)
    text = json.dumps(record, ensure_ascii=False)
    for value in (ID_NUMBER, MOBILE, EMAIL, CARD, "6222 0212 3456 7890 128"):
        assert value not in text
    assert record["level"] == "INFO" and record["logger"] == "portal.test" and record["request_id"] == "req-1"


def test_ordinary_numbers_stay_numbers():
    record = _line("done", rows=45, seconds=1.5)
    assert record["rows"] == 45 and record["seconds"] == 1.5

import logging

import pytest

from core.logging import mask_personal_data
from tests.factories import UserFactory


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("id 440103199001011234 given", "id 4401**********1234 given"),
        ("id 11010519491231002X given", "id 1101**********002X given"),
        ("call 13812345678 now", "call 138****5678 now"),
        ("call +86 13812345678 now", "call +86 138****5678 now"),
        ("card 4111 1111 1111 1111 on file", "card 4111 **** 1111 on file"),
        ("card 6212260200000000006", "card 6212 **** 0006"),
        ("mail zhang.san@example.cn", "mail z***@example.cn"),
    ],
)
def test_personal_values_are_masked(raw, masked):
    assert mask_personal_data(raw) == masked


@pytest.mark.parametrize("text", ["took 0.00241231715s", "order 1234567890123", "user #42 at 2026-11-29"])
def test_ordinary_numbers_are_left_alone(text):
    assert mask_personal_data(text) == text


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def security_lines():
    handler = _Collect()
    logger = logging.getLogger("security")
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


@pytest.mark.django_db
def test_a_failed_login_is_a_masked_security_event(client, security_lines):
    UserFactory(username="zhangsan", email="zhang.san@example.cn")
    response = client.post("/accounts/login/", {"login": "zhang.san@example.cn", "password": "wrong-password"})
    assert response.status_code == 200
    assert any("login failed" in line for line in security_lines)
    assert not any("zhang.san@example.cn" in line for line in security_lines)
    assert any("z***@example.cn" in line for line in security_lines)


@pytest.mark.django_db
def test_denied_api_access_is_a_security_event(client, security_lines):
    assert client.get("/api/v1/inbox/").status_code in (401, 403)
    assert any("api access denied" in line and "/api/v1/inbox/" in line for line in security_lines)


def test_security_logger_masks_before_any_handler(security_lines):
    logging.getLogger("security").warning("lookup by id %s", "440103199001011234")
    assert security_lines == ["lookup by id 4401**********1234"]

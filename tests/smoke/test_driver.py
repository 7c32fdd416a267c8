"""The smoke driver's own parts, checked by ``make test`` so that ``make smoke`` does not find out first.

The smoke run itself is ``make smoke``; these only cover what it builds on:
the ID numbers it makes up, the forms it reads, and the nginx site it derives
from ``deploy/nginx`` (a change there that the driver no longer understands
fails here, with the reason).
"""

import shutil
import subprocess

import pytest

from accounts.validators import clean_id_number

from .browser import forms_of
from .scenario import resident_id_number
from .stack import NGINX, Stack


def test_made_up_resident_id_numbers_pass_the_portals_own_check():
    for _ in range(50):
        number = resident_id_number()
        assert clean_id_number(number) == number


def test_the_form_reader_sends_what_a_browser_would():
    html = """
    <form method="post" action="/x/" data-testid="f">
      <input type="hidden" name="csrfmiddlewaretoken" value="t">
      <input type="radio" name="kind" value="individual" checked>
      <input type="radio" name="kind" value="business">
      <input type="checkbox" name="agree">
      <input type="text" name="email">
      <button type="submit" name="go" value="1">Go</button>
    </form>
    <form method="get"><input name="q" value="z"></form>
    """
    first, second = forms_of(html)
    assert (first.action, first.method, first.attrs["data-testid"]) == ("/x/", "post", "f")
    assert first.fields == {"csrfmiddlewaretoken": "t", "kind": "individual", "email": ""}
    assert second.fields == {"q": "z"}


@pytest.mark.skipif(not shutil.which("nginx") and not shutil.which(NGINX), reason="nginx is not installed")
def test_the_nginx_site_from_deploy_has_both_instances_upstream_and_passes_nginx_t():
    stack = Stack()
    try:
        stack._write_nginx_config()  # runs `nginx -t` on what it wrote
        site = (stack.directory / "nginx" / "site.conf").read_text()
        locations = (stack.directory / "nginx" / "locations.conf").read_text()
    except subprocess.CalledProcessError as error:  # pragma: no cover - the failure message is the point
        pytest.fail(f"nginx -t refused the generated config: {error}")
    finally:
        stack.stop()
    for port in stack.web_ports.values():
        assert f"server 127.0.0.1:{port} " in site
    assert f"listen 127.0.0.1:{stack.nginx_port};" in site
    assert "add_header X-Upstream $upstream_addr always;" in locations
    assert "client_max_body_size" in locations

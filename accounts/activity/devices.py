"""Naming a device from its user-agent string: "Chrome 131 on Windows".

People recognise their browser and system, not the header a browser sends,
so the sign-in history and the list of signed-in devices show a name made
by ``ua-parser`` (kept current by upgrading ``ua-parser-builtins``).
"""

import functools

import ua_parser
from django.utils.translation import gettext as _

# Real user agents are well under this; a longer one is cut before parsing
# so a crafted header cannot make every regex walk kilobytes.
PARSED_LENGTH = 512
# Distinct browsers a busy process sees in a while; a page of sessions or
# sign-ins repeats the same few.
PARSED_KEPT = 1024
NAME_MAX_LENGTH = 80

# The names their makers use today.
SYSTEM_NAMES = {"Mac OS X": "macOS"}
NO_MODEL = {"", "Other", "Generic", "Smartphone", "Tablet", "Mac", "Feature Phone"}


@functools.lru_cache(maxsize=PARSED_KEPT)
def browser_and_system(user_agent: str) -> tuple[str, str]:
    """(browser with its major version, system with the device model) as parsed; "" for what is unknown."""
    result = ua_parser.parse(user_agent[:PARSED_LENGTH])
    browser = ""
    if result.user_agent is not None and result.user_agent.family != "Other":
        browser = " ".join(part for part in (result.user_agent.family, result.user_agent.major) if part)
    system = ""
    if result.os is not None and result.os.family != "Other":
        system = SYSTEM_NAMES.get(result.os.family, result.os.family)
    model = (result.device.model or "") if result.device is not None else ""
    if system and model not in NO_MODEL and model not in system:
        system = f"{system} ({model})"
    return browser[:NAME_MAX_LENGTH], system[:NAME_MAX_LENGTH]


def device_name(user_agent: str | None) -> str:
    """What the person reads for a session's or sign-in's device, in the active language."""
    browser, system = browser_and_system((user_agent or "").strip())
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or _("Unknown device")

"""A person's answer to the material policy version in force, remembered in their session.

The pending banner asks on every signed-in page, so the ledger and the audit
log are read once per session and version; accepting or declining on this
site updates the remembered answer at once. A gated action (``middleware``)
asks afresh unless the session already knows the person accepted: an answer
given in another session must count there.
"""

from consents.models import PolicyVersion

from .selectors import ACCEPTED, policy_standing_for

SESSION_KEY = "consents_policy_standing"


def policy_standing(request, *, version: PolicyVersion, fresh: bool = False) -> str:
    """``ACCEPTED``, ``DECLINED`` or ``PENDING`` for the signed-in person and ``version``."""
    remembered = request.session.get(SESSION_KEY)
    known = remembered if isinstance(remembered, dict) and remembered.get("version") == version.pk else None
    if known is not None and (not fresh or known.get("standing") == ACCEPTED):
        return known["standing"]
    standing = policy_standing_for(user=request.user, version=version)
    if known is None or known.get("standing") != standing:
        policy_standing_remember(request, version=version, standing=standing)
    return standing


def policy_standing_remember(request, *, version: PolicyVersion, standing: str) -> None:
    # Written only when it changes: a signed-in GET must not write the session every time.
    request.session[SESSION_KEY] = {"version": version.pk, "standing": standing}

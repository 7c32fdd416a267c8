from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """The portal's hooks into allauth (issue #3, in progress)."""

"""``/privacy/…`` (namespace "consents"): the dashboard, for oneself and for a ward."""

from django.urls import path

from . import views


def _pages(prefix: str, name_prefix: str) -> list:
    return [
        path(f"{prefix}", views.dashboard, name=f"{name_prefix}dashboard"),
        path(f"{prefix}history/", views.history, name=f"{name_prefix}history"),
        path(f"{prefix}receipt.json", views.receipt, name=f"{name_prefix}receipt"),
        path(f"{prefix}consent/<slug:purpose_code>/grant/", views.grant, name=f"{name_prefix}consent_grant"),
        path(f"{prefix}consent/<slug:purpose_code>/withdraw/", views.withdraw, name=f"{name_prefix}consent_withdraw"),
        path(f"{prefix}consent/<slug:purpose_code>/confirm/", views.confirm, name=f"{name_prefix}consent_confirm"),
        path(
            f"{prefix}consent/<slug:purpose_code>/partner/<slug:partner_code>/confirm/",
            views.confirm,
            name=f"{name_prefix}partner_confirm",
        ),
        path(
            f"{prefix}consent/<slug:purpose_code>/partner/<slug:partner_code>/withdraw/",
            views.partner_withdraw,
            name=f"{name_prefix}partner_withdraw",
        ),
    ]


# A guardian's pages for a minor they decide for: the same views, the ward's id first.
urlpatterns = _pages("", "") + _pages("for/<int:user_id>/", "ward_")

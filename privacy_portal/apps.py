from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.core import checks


class PortalConfig(AppConfig):
    name = "privacy_portal"
    default = True

    def ready(self):
        from .deploy_checks import DEPLOY_CHECKS
        from .middleware import browser_middleware_check

        # In place of admin's middleware checks, which look only in MIDDLEWARE.
        checks.register(browser_middleware_check)

        for check in DEPLOY_CHECKS:
            checks.register(check, checks.Tags.security, deploy=True)


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django admin with the portal's site: sign-in through allauth, then the second factor.

    ``default_site`` is how Django means a project to replace ``admin.site``;
    every app's ``@admin.register`` lands on it unchanged.
    """

    # Imported under its module's name: a class named in this module with
    # ``default = True`` would compete to configure the privacy_portal app.
    default = False
    default_site = "accounts.two_factor.admin_site.PortalAdminSite"

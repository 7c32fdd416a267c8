from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = _("Retention")

    def ready(self):
        from personal_data.retention_periods import retention_period_days_source_set, retention_texts_source_set

        from . import rules  # noqa: F401 - registers the retention app's own named condition
        from .selectors import retention_rule_period_days, retention_texts_by_category

        # Apps below retention (the delivery pages) ask personal_data how long a rule keeps its rows.
        retention_period_days_source_set(retention_rule_period_days)
        # The export tells the person how long each category is kept.
        retention_texts_source_set(retention_texts_by_category)

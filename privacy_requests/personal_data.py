"""Registers every app's personal-data categories.

Each app keeps its entries beside its models, in ``<app>/personal_data.py``;
importing them here is what puts them in the registry. A new module with a
user foreign key fails ``privacy_requests/tests/test_registry.py`` until it
is registered (or allowed there, with a reason).
"""

import accounts.personal_data  # noqa: F401
import consents.personal_data  # noqa: F401
import incidents.personal_data  # noqa: F401
import notifications.personal_data  # noqa: F401
import privacy_requests.personal_data_own  # noqa: F401

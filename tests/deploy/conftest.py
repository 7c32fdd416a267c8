import pytest

from .scratch import ScratchDatabase, unique_name


@pytest.fixture
def scratch_database():
    """A database set up as production sets one up: two roles, migrated by the owner."""
    database = ScratchDatabase(name=unique_name("deploy"), owner=unique_name("owner"), app=unique_name("app"))
    try:
        database.create()
        yield database
    finally:
        database.drop()

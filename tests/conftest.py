import pytest
from django.core.cache import cache
from django.utils import translation
from rest_framework.test import APIClient

from tests.factories import PASSWORD, add_member, make_account, make_workspace
from workspaces.models import Role


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def account_a(db):
    return make_account(name="Alpha Corp")  # (account, owner)


@pytest.fixture
def account(account_a):
    """Alpha Corp: `account_a` without its owner."""
    return account_a[0]


@pytest.fixture
def account_b(db):
    return make_account(name="Beta Corp")  # (account, owner)


@pytest.fixture
def owner_api(account_a):
    client = APIClient()
    client.force_authenticate(account_a[1])
    return client


@pytest.fixture
def admin_user(account_a):
    return add_member(account_a[0], role=Role.ADMIN)


@pytest.fixture
def member_user(account_a):
    return add_member(account_a[0], role=Role.MEMBER)


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def workspace_factory(db):
    return make_workspace


@pytest.fixture(autouse=True)
def _no_language_leaks_between_tests():
    """A page test that switched to Chinese must not leave it active for the next test (the
    locale middleware activates a language on the test's thread and nothing resets it)."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _no_throttle_counts_leak_between_tests():
    """The sign-in throttles count in the cache (this process's LocMemCache under the tests)."""
    cache.clear()
    yield
    cache.clear()

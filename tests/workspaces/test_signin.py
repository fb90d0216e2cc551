"""Sign-in: lockout after wrong passwords (django-axes) and throttles on the token API, the login
page and the admin login; API tokens (django-rest-knox) that expire, end with a logout or a new
password, and can be revoked; old DRF tokens converted by the migration keep working."""

import importlib
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.test import Client, RequestFactory
from django.utils import timezone
from knox.models import AuthToken
from redis.exceptions import ConnectionError as RedisConnectionError
from rest_framework.test import APIClient

from tests.factories import UserFactory
from workspaces.models import User
from workspaces.services import api_token_create
from workspaces.signin import SignInThrottle, TokenAuthentication, client_ip

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
FAILURE_LIMIT = 5  # AXES_FAILURE_LIMIT
COOL_OFF = 15 * 60  # AXES_COOLOFF_TIME, seconds


def token_login(client, username: str, password: str, **extra):
    return client.post(
        TOKEN_URL, {"username": username, "password": password}, format="json", **extra
    )


def with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def account_status(token: str) -> int:
    return with_token(token).get("/api/v1/account/").status_code


def new_token(user) -> str:
    return api_token_create(user=user, now=timezone.now())[1]


@contextmanager
def counting_password_checks():
    """How many times a password was compared with the stored hash."""
    original = User.check_password
    with mock.patch.object(User, "check_password", autospec=True, side_effect=original) as check:
        yield check


def cool_off_passes() -> None:
    """The lockout's 15 minutes and the throttles' minute are over."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(seconds=COOL_OFF + 60))
    cache.clear()


def assert_429(response, codes: set[str]) -> None:
    assert response.status_code == 429, response.content
    assert 1 <= int(response["Retry-After"]) <= COOL_OFF
    if response["Content-Type"].startswith("application/json"):
        body = response.json()
        assert set(body) == {"errors", "codes"}
        assert len(body["errors"]["detail"]) == 1
        assert set(body["codes"]["detail"]) <= codes, body


# The token API


def test_the_api_md_token_call_answers_a_token_and_its_expiry_and_the_token_works(
    account_a, password
):
    _, owner = account_a
    response = token_login(APIClient(), owner.username, password)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expiry"}
    assert account_status(body["token"]) == 200
    assert with_token(body["token"]).get("/api/v1/account/").json()["name"] == "Alpha Corp"
    expiry = timezone.datetime.fromisoformat(body["expiry"])
    assert abs(expiry - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)


def test_only_a_digest_of_the_token_is_stored(account_a, password):
    token = token_login(APIClient(), account_a[1].username, password).json()["token"]
    stored = AuthToken.objects.get(user=account_a[1])
    assert token not in (stored.digest, stored.token_key)
    assert len(stored.digest) == 128


def test_100_wrong_passwords_on_the_token_api_check_5_then_429_and_the_right_one_is_refused(
    account_a, password
):
    owner = account_a[1]
    api = APIClient()
    with counting_password_checks() as checks:
        answers = [token_login(api, owner.username, f"wrong-{n}") for n in range(100)]
        assert checks.call_count == FAILURE_LIMIT
    assert [answer.status_code for answer in answers[: FAILURE_LIMIT - 1]] == [400] * 4
    for answer in answers[FAILURE_LIMIT - 1 :]:
        assert_429(answer, {"locked_out", "throttled"})
    assert answers[FAILURE_LIMIT - 1].json()["codes"]["detail"] == ["locked_out"]
    assert answers[-1].json()["codes"]["detail"] == ["throttled"]

    cache.clear()  # the throttles' minute is over, the lockout's 15 minutes are not
    with counting_password_checks() as checks:
        refused = token_login(api, owner.username, password)
        assert checks.call_count == 0
    assert_429(refused, {"locked_out"})
    assert COOL_OFF - 60 < int(refused["Retry-After"]) <= COOL_OFF
    assert "15 minutes" in refused.json()["errors"]["detail"][0]
    assert not AuthToken.objects.filter(user=owner).exists()

    cool_off_passes()
    assert token_login(api, owner.username, password).status_code == 200


def test_a_lockout_holds_one_username_from_one_address_only(account_a, account_b, password):
    owner, other = account_a[1], account_b[1]
    api = APIClient()
    for n in range(FAILURE_LIMIT):
        token_login(api, owner.username, f"wrong-{n}")
    assert token_login(api, owner.username, password).status_code == 429
    assert token_login(api, other.username, password).status_code == 200
    assert token_login(api, owner.username, password, REMOTE_ADDR="10.9.9.9").status_code == 200


def test_a_right_password_before_the_limit_starts_the_count_again(account_a, password):
    owner = account_a[1]
    api = APIClient()
    for n in range(FAILURE_LIMIT - 1):
        assert token_login(api, owner.username, f"wrong-{n}").status_code == 400
    assert token_login(api, owner.username, password).status_code == 200
    for n in range(FAILURE_LIMIT - 1):
        assert token_login(api, owner.username, f"again-{n}").status_code == 400
    assert token_login(api, owner.username, password).status_code == 200


def test_one_address_is_throttled_across_usernames():
    api = APIClient()
    for n in range(20):
        assert token_login(api, f"nobody{n}", "x", REMOTE_ADDR="10.1.1.1").status_code == 400
    throttled = token_login(api, "nobody-else", "x", REMOTE_ADDR="10.1.1.1")
    assert_429(throttled, {"throttled"})
    assert int(throttled["Retry-After"]) <= 60
    assert token_login(api, "nobody-else", "x", REMOTE_ADDR="10.1.1.2").status_code == 400


def test_one_username_is_throttled_across_addresses(account_a):
    api = APIClient()
    username = account_a[1].username
    for n in range(10):  # one wrong password per address: no pair is locked out
        answer = token_login(api, username, "wrong", REMOTE_ADDR=f"10.2.0.{n}")
        assert answer.status_code == 400
    assert_429(token_login(api, username, "wrong", REMOTE_ADDR="10.2.0.99"), {"throttled"})


def test_behind_the_proxy_the_address_is_the_one_the_proxy_wrote():
    """A client that invents X-Forwarded-For entries still counts as its one real address."""
    api = APIClient()
    for n in range(20):
        forwarded = f"203.0.113.{n}, 10.3.3.3"  # the client's inventions, then the proxy's entry
        answer = token_login(api, f"nobody{n}", "x", HTTP_X_FORWARDED_FOR=forwarded)
        assert answer.status_code == 400
    spoofed = token_login(api, "x", "x", HTTP_X_FORWARDED_FOR="198.51.100.1, 10.3.3.3")
    assert_429(spoofed, {"throttled"})


def test_without_redis_the_throttles_let_sign_ins_through_and_the_lockout_holds(account_a):
    broken = mock.Mock(get=mock.Mock(side_effect=RedisConnectionError("no Redis")))
    api = APIClient()
    with mock.patch.object(SignInThrottle, "cache", broken):
        answers = [token_login(api, account_a[1].username, "wrong").status_code for _ in range(30)]
    assert answers[:4] == [400] * 4
    assert set(answers[4:]) == {429}  # locked out, never throttled


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.5, 10.0.0.7", "10.0.0.7"),
        (1, "10.0.0.7", "10.0.0.7"),
        (1, "10.0.0.7:4711", "10.0.0.7"),
        (1, "2001:db8::1", "2001:db8::1"),
        (2, "203.0.113.5, 10.0.0.7, 10.0.0.8", "10.0.0.7"),
        (1, "not an address", "192.0.2.1"),
        (1, "", "192.0.2.1"),
        (0, "203.0.113.5, 10.0.0.7", "192.0.2.1"),  # no proxy (make run): never the header
    ],
)
def test_the_client_address(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


# The login page and the admin login


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_100_wrong_passwords_on_a_login_page_check_5_then_429_and_the_right_one_is_refused(
    path, password
):
    operator = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    with counting_password_checks() as checks:
        answers = [
            client.post(path, {"username": operator.username, "password": f"wrong-{n}"})
            for n in range(100)
        ]
        assert checks.call_count == FAILURE_LIMIT
    assert [answer.status_code for answer in answers[: FAILURE_LIMIT - 1]] == [200] * 4
    for answer in answers[FAILURE_LIMIT - 1 :]:
        assert_429(answer, set())
        assert "Try again at" in answer.content.decode()
    assert "wrong passwords" in answers[FAILURE_LIMIT - 1].content.decode()

    cache.clear()
    with counting_password_checks() as checks:
        refused = client.post(path, {"username": operator.username, "password": password})
        assert checks.call_count == 0
    assert_429(refused, set())
    assert "(in 15 minutes)" in refused.content.decode()
    assert "_auth_user_id" not in client.session

    cool_off_passes()
    assert (
        client.post(path, {"username": operator.username, "password": password}).status_code == 302
    )
    assert client.session["_auth_user_id"] == str(operator.pk)


def test_the_lockout_page_is_translated(account_a):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    for n in range(FAILURE_LIMIT):
        answer = client.post(
            "/accounts/login/", {"username": account_a[1].username, "password": f"wrong-{n}"}
        )
    html = answer.content.decode()
    assert answer.status_code == 429
    assert "登录尝试次数过多" in html
    assert "15 分钟后" in html


def test_the_login_page_throttles_one_address_across_usernames():
    client = Client()
    for n in range(20):
        answer = client.post("/accounts/login/", {"username": f"nobody{n}", "password": "x"})
        assert answer.status_code == 200
    throttled = client.post("/admin/login/", {"username": "someone", "password": "x"})
    assert_429(throttled, set())
    assert "too many sign-in attempts in a short time" in throttled.content.decode()


# Expiry and revocation


def test_an_expired_token_is_refused_with_401(account_a):
    token = new_token(account_a[1])
    AuthToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    response = with_token(token).get("/api/v1/account/")
    assert response.status_code == 401
    assert response.json()["codes"]["detail"] == ["authentication_failed"]
    assert not AuthToken.objects.exists()


def test_a_token_costs_one_query_to_authenticate(account_a, django_assert_num_queries):
    token = new_token(account_a[1])
    request = RequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {token}")
    with django_assert_num_queries(1):  # the token with its user; no renewal within the minute
        user, _auth = TokenAuthentication().authenticate(request)
    assert user == account_a[1]


def test_a_used_token_lives_on_up_to_its_maximum_age(account_a):
    token = new_token(account_a[1])
    now = timezone.now()
    AuthToken.objects.update(expiry=now + timedelta(hours=1))
    assert account_status(token) == 200
    renewed = AuthToken.objects.get().expiry
    assert abs(renewed - (now + timedelta(days=30))) < timedelta(minutes=1)

    AuthToken.objects.update(created=now - timedelta(days=80), expiry=now + timedelta(hours=1))
    assert account_status(token) == 200
    capped = AuthToken.objects.get().expiry
    assert abs(capped - (now + timedelta(days=10))) < timedelta(minutes=1)


def test_delete_revokes_the_token_presented_and_no_other(account_a, password):
    first, second = new_token(account_a[1]), new_token(account_a[1])
    assert with_token(first).delete(TOKEN_URL).status_code == 204
    assert account_status(first) == 401
    assert account_status(second) == 200


def test_delete_all_revokes_every_token_of_the_user(account_a, account_b):
    first, second = new_token(account_a[1]), new_token(account_a[1])
    someone_else = new_token(account_b[1])
    assert with_token(first).delete(f"{TOKEN_URL}?all=true").status_code == 204
    assert account_status(first) == 401
    assert account_status(second) == 401
    assert account_status(someone_else) == 200


@pytest.mark.parametrize(
    ("headers", "query", "status"),
    [
        ({}, "", 401),
        ({"HTTP_AUTHORIZATION": "Token nope"}, "", 401),
        ("valid", "?all=maybe", 400),
    ],
)
def test_delete_without_a_valid_token_or_with_a_bad_flag(account_a, headers, query, status):
    if headers == "valid":
        headers = {"HTTP_AUTHORIZATION": f"Token {new_token(account_a[1])}"}
    response = APIClient().delete(f"{TOKEN_URL}{query}", **headers)
    assert response.status_code == status
    assert set(response.json()) == {"errors", "codes"}
    assert AuthToken.objects.count() == (1 if query else 0)


def test_a_stale_token_header_does_not_refuse_a_login(account_a, password):
    response = token_login(
        APIClient(), account_a[1].username, password, HTTP_AUTHORIZATION="Token expired-long-ago"
    )
    assert response.status_code == 200


def test_logging_out_of_the_portal_revokes_the_api_tokens(account_a):
    token = new_token(account_a[1])
    client = Client()
    client.force_login(account_a[1])
    assert client.post("/accounts/logout/").status_code == 302
    assert account_status(token) == 401


def test_signing_in_on_the_page_keeps_the_api_tokens(account_a, password):
    token = new_token(account_a[1])
    answer = Client().post(
        "/accounts/login/", {"username": account_a[1].username, "password": password}
    )
    assert answer.status_code == 302
    assert account_status(token) == 200


def test_a_new_password_revokes_the_api_tokens(account_a):
    owner = account_a[1]
    token = new_token(owner)
    owner.first_name = "Ann"
    owner.save()
    assert account_status(token) == 200  # a change of anything else keeps them
    owner.set_password("an-entirely-new-pass-42")
    owner.save()
    assert account_status(token) == 401


def test_an_unusable_password_revokes_the_api_tokens(account_a):
    owner = account_a[1]
    token = new_token(owner)
    owner.set_unusable_password()
    owner.save()
    assert account_status(token) == 401


def test_a_password_set_in_admin_revokes_the_api_tokens(account_a):
    owner = account_a[1]
    token = new_token(owner)
    operator = Client()
    operator.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = operator.post(
        f"/admin/workspaces/user/{owner.pk}/password/",
        {
            "password1": "an-entirely-new-pass-42",
            "password2": "an-entirely-new-pass-42",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert account_status(token) == 401


def test_a_hash_upgrade_at_sign_in_keeps_the_api_tokens(account_a, password):
    """Django re-hashes a checked password when its hasher wants more (here: a longer salt)."""
    owner = account_a[1]
    weak = MD5PasswordHasher().encode(password, "ab")
    User.objects.filter(pk=owner.pk).update(password=weak)
    token = new_token(owner)
    assert token_login(APIClient(), owner.username, password).status_code == 200
    assert User.objects.get(pk=owner.pk).password != weak
    assert account_status(token) == 200


def test_a_user_keeps_at_most_100_tokens_and_loses_the_least_recently_used(account_a):
    owner = account_a[1]
    oldest = new_token(owner)
    AuthToken.objects.update(expiry=timezone.now() + timedelta(days=1))
    for _ in range(99):
        new_token(owner)
    assert AuthToken.objects.filter(user=owner).count() == 100
    newest = new_token(owner)
    assert AuthToken.objects.filter(user=owner).count() == 100
    assert account_status(oldest) == 401
    assert account_status(newest) == 200


# Tokens of before the move to knox


def _migration():
    return importlib.import_module("workspaces.migrations.0004_api_tokens_to_knox")


def test_an_old_drf_token_keeps_working_after_the_migration(account_a):
    owner = account_a[1]
    old_key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"  # DRF's 40 hex characters
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "created timestamptz NOT NULL, user_id bigint NOT NULL UNIQUE "
            "REFERENCES workspaces_user (id))"
        )
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, now(), %s)", [old_key, owner.pk])
    with connection.schema_editor() as editor:
        _migration().convert_drf_tokens(apps, editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0  # no key left in plain text
    converted = AuthToken.objects.get(user=owner)
    assert old_key not in (converted.digest, converted.token_key)
    assert abs(converted.expiry - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    assert account_status(old_key) == 200


def test_the_migration_has_nothing_to_do_on_a_new_database():
    assert "authtoken_token" not in connection.introspection.table_names()
    with connection.schema_editor() as editor:
        _migration().convert_drf_tokens(apps, editor)
    assert not AuthToken.objects.exists()


# No 500 for any input


@pytest.mark.parametrize(
    "header",
    [
        b"Token \xe9t\xe9".decode("latin-1"),
        "Token abc\x00def",
        "Token " + "a" * 5000,
        "Token a b",
        "Token",
    ],
    ids=["latin-1", "nul", "long", "spaces", "empty"],
)
def test_malformed_tokens_are_401(header):
    response = APIClient().get("/api/v1/account/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert set(response.json()) == {"errors", "codes"}


@pytest.mark.parametrize(
    "body",
    [
        '{"username": "\\ud800", "password": "x"}',
        '{"username": "owner", "password": "\\udfff"}',
        '{"username": "a\\u0000b", "password": "x"}',
        '[{"username": "a", "password": "b"}]',
        '{"username": ["a"], "password": "b"}',
    ],
    ids=["surrogate-username", "surrogate-password", "nul", "list", "username-list"],
)
def test_odd_sign_in_bodies_are_400(account_a, body):
    response = APIClient().post(TOKEN_URL, body, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"errors", "codes"}


def test_an_overlong_username_on_the_login_page_is_a_form_error():
    answer = Client().post("/accounts/login/", {"username": "u" * 10_000, "password": "x"})
    assert answer.status_code == 200

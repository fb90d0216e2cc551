"""Deployment that is safe by default.

Production settings (DJANGO_DEBUG off) refuse to start on a missing, placeholder or short secret
key and on missing hosts, and pass `check --deploy` with no warning: HTTPS redirect behind the
proxy's header, secure cookies, HSTS and a Content-Security-Policy that every page keeps.
`make run` (DJANGO_DEBUG on) stays on plain http. The compose file and the image never seed the
demo data and its well-known logins.
"""

import base64
import hashlib
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.test import Client

from tests.browser.conftest import chromium, pages  # noqa: F401 — fixtures of the browser test
from tests.factories import PASSWORD, make_account, make_workspace
from tests.test_project import compose_command
from workspaces.models import Membership, Role

ROOT = Path(__file__).resolve().parent.parent
HOST = "billing.example.com"
KEY = secrets.token_urlsafe(50)
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": KEY,
    "DJANGO_ALLOWED_HOSTS": HOST,
    "DATABASE_URL": "postgres://billing@127.0.0.1:5432/billing_center",
}


def clean_environment(**variables: str) -> dict:
    """This process's environment without any DJANGO_ variable (the test settings export
    some), with the real settings module and `variables`."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")}
    return {**env, "DJANGO_SETTINGS_MODULE": "billing_center.settings", **variables}


def manage(variables: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean_environment(**variables),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_with_no_warning():
    result = manage(PRODUCTION, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "change-me-in-production"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "change-me-to-a-long-random-string" + KEY}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "django-insecure-" + KEY}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": KEY[:30]}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "ab" * 40}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_ALLOWED_HOSTS": ""}, "DJANGO_ALLOWED_HOSTS"),
        ({"DJANGO_ALLOWED_HOSTS": "*"}, "DJANGO_ALLOWED_HOSTS"),
        ({"DJANGO_ALLOWED_HOSTS": f"{HOST},*"}, "DJANGO_ALLOWED_HOSTS"),
    ],
    ids=[
        "no-key",
        "compose-placeholder",
        "env-example-placeholder",
        "startproject-key",
        "short-key",
        "two-letter-key",
        "no-hosts",
        "any-host",
        "any-host-in-a-list",
    ],
)
def test_production_refuses_to_start_with_one_readable_line(variables, named):
    result = manage({**PRODUCTION, **variables}, "check")
    assert result.returncode != 0
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert len(lines) == 1, lines  # the reason, not a traceback
    assert named in lines[0]
    assert KEY[:20] not in lines[0]  # never the key itself


def settings_of(variables: dict, *names: str) -> dict:
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {list(names)!r}}}))"
    )
    result = manage(variables, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


HTTPS_SETTINGS = (
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER",
)


def test_production_is_https_only_behind_the_proxy_header():
    found = settings_of(PRODUCTION, *HTTPS_SETTINGS)
    assert found["SECURE_SSL_REDIRECT"] is True
    assert found["SESSION_COOKIE_SECURE"] is True
    assert found["CSRF_COOKIE_SECURE"] is True
    assert found["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert found["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_production_signs_in_through_the_lockout_and_counts_in_redis():
    """The throttles count in one Redis for every gunicorn worker (a per-process cache would
    give each worker its own allowance); the lockout backend and middleware are in place."""
    redis_url = "redis://redis.internal:6379/3"
    found = settings_of(
        {**PRODUCTION, "REDIS_URL": redis_url},
        "CACHES",
        "AUTHENTICATION_BACKENDS",
        "MIDDLEWARE",
        "TRUSTED_PROXY_COUNT",
        "INSTALLED_APPS",
    )
    cache = found["CACHES"]["default"]
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    # a database of its own next to the broker's, so clearing the cache never drops tasks
    assert cache["LOCATION"] == "redis://redis.internal:6379/4"
    own = settings_of(
        {**PRODUCTION, "REDIS_URL": redis_url, "CACHE_URL": "redis://c:1/0"}, "CACHES"
    )
    assert own["CACHES"]["default"]["LOCATION"] == "redis://c:1/0"
    assert found["AUTHENTICATION_BACKENDS"][0] == "axes.backends.AxesStandaloneBackend"
    assert found["MIDDLEWARE"][-1] == "axes.middleware.AxesMiddleware"
    assert found["TRUSTED_PROXY_COUNT"] == 1  # the TLS proxy's X-Forwarded-For entry
    assert "knox" in found["INSTALLED_APPS"]
    assert "rest_framework.authtoken" not in found["INSTALLED_APPS"]


def test_make_run_stays_on_plain_http_without_a_key_or_hosts():
    """`make run` sets DJANGO_DEBUG=true and nothing else (scripts/stack.py)."""
    found = settings_of({"DJANGO_DEBUG": "true"}, *HTTPS_SETTINGS, "ALLOWED_HOSTS")
    assert found["SECURE_SSL_REDIRECT"] is False
    assert found["SESSION_COOKIE_SECURE"] is False
    assert found["CSRF_COOKIE_SECURE"] is False
    assert found["SECURE_HSTS_SECONDS"] == 0
    assert "127.0.0.1" in found["ALLOWED_HOSTS"]


def test_production_answers_http_with_a_redirect_and_https_with_hsts_and_secure_cookies():
    code = f"""
from django.test import Client
client = Client(HTTP_HOST={HOST!r})
plain = client.get("/accounts/login/")
print(plain.status_code, plain["Location"])
secure = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
print(secure.status_code, secure["Strict-Transport-Security"])
print(secure.cookies["csrftoken"]["secure"], "script-src" in secure["Content-Security-Policy"])
"""
    static = "django.contrib.staticfiles.storage.StaticFilesStorage"  # no collectstatic here
    result = manage({**PRODUCTION, "DJANGO_STATICFILES_STORAGE": static}, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-3:] == [
        f"301 https://{HOST}/accounts/login/",
        "200 max-age=31536000; includeSubDomains; preload",
        "True True",
    ]


def compose_file() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_compose_services_never_seed_demo_data(service):
    command = compose_file()["services"][service]["command"]
    command = command if isinstance(command, str) else " ".join(command)
    assert "seed_demo" not in command
    assert "createsuperuser" not in command


def test_compose_has_no_default_secret_key_or_hosts():
    text = (ROOT / "docker-compose.yml").read_text()
    assert "change-me" not in text
    for service in ("web", "worker", "beat"):
        environment = compose_file()["services"][service]["environment"]
        assert environment["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")
        assert environment["DJANGO_ALLOWED_HOSTS"].startswith("${DJANGO_ALLOWED_HOSTS:?")
        assert environment["DJANGO_DEBUG"] == "false"


def test_the_image_seeds_nothing_and_bakes_in_no_key():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "seed_demo" not in dockerfile
    assert "createsuperuser" not in dockerfile
    assert not re.search(r"^\s*ENV\b[^\n]*DJANGO_SECRET_KEY", dockerfile, re.MULTILINE)
    # the build's collectstatic gets a key generated in that step, never a literal one
    literal = re.findall(r"DJANGO_SECRET_KEY=(?![\"']?\$\()(\S+)", dockerfile)
    assert literal == []


@pytest.mark.skipif(
    compose_command() is None, reason="neither docker compose nor docker-compose is installed"
)
def test_compose_stops_until_the_key_and_the_hosts_are_set():
    compose = [*compose_command(), "-f", str(ROOT / "docker-compose.yml"), "config", "--quiet"]

    def config(**variables):
        env = {**clean_environment(**variables)}
        env.pop("DJANGO_SETTINGS_MODULE")
        return subprocess.run(compose, capture_output=True, text=True, cwd=ROOT, env=env)

    missing_key = config(DJANGO_ALLOWED_HOSTS=HOST)
    assert missing_key.returncode != 0
    assert "DJANGO_SECRET_KEY" in missing_key.stderr
    missing_hosts = config(DJANGO_SECRET_KEY=KEY)
    assert missing_hosts.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in missing_hosts.stderr
    both = config(DJANGO_SECRET_KEY=KEY, DJANGO_ALLOWED_HOSTS=HOST)
    assert both.returncode == 0, both.stderr


# The Content-Security-Policy of every page (the test settings are the production ones on http).


def policy_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def sha256_source(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"


INLINE_SCRIPT = re.compile(r"<script\b(?P<attributes>[^>]*)>(?P<code>.*?)</script>", re.DOTALL)
EVENT_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*(?:"([^"]*)"|'([^']*)')""")
STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*["']""")


def inline_code(html: str) -> list[str]:
    """The inline scripts that run (not `src=`, not `json_script` data) and event handlers."""
    code = [
        match["code"]
        for match in INLINE_SCRIPT.finditer(html)
        if "src=" not in match["attributes"] and "application/json" not in match["attributes"]
    ]
    return code + [double or single for double, single in EVENT_HANDLER.findall(html)]


def test_the_policy_allows_only_this_origin():
    response = Client().get("/accounts/login/")
    policy = policy_of(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'"
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    everything = " ".join(source for sources in policy.values() for source in sources)
    assert "'unsafe-inline'" not in everything
    assert "'unsafe-eval'" not in everything
    assert "http" not in everything and "*" not in everything


def test_no_template_has_an_inline_script_or_style():
    """The policy allows scripts of this site only: behaviour lives in static/js/, styles in
    static/css/app.css; an inline script or on…= handler would not run."""
    allowed = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"]
    assert allowed == ["'self'"]
    missing, styled = [], []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        source = template.read_text()
        for code in inline_code(source):
            where = template.relative_to(ROOT)
            assert "{{" not in code and "{%" not in code, f"{where}: a template in a script"
            if sha256_source(code) not in allowed:
                missing.append(f"{where}: {sha256_source(code)} {code.strip()[:60]!r}")
        if STYLE_ATTRIBUTE.search(source) or "<style" in source:
            styled.append(str(template.relative_to(ROOT)))
    assert missing == []
    assert styled == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/buy/", "/wallet/", "/ledger/", "/bills/", "/plans/"])
def test_the_rendered_pages_run_no_inline_code_outside_the_policy(path):
    account, owner = make_account(name="Policy Corp")
    second, _ = make_account(name="Second Corp")
    Membership.objects.create(account=second, user=owner, role=Role.OWNER)  # account switcher
    make_workspace(account, name="Prod", commercial=True)
    client = Client()
    client.force_login(owner)
    response = client.get(path)
    assert response.status_code == 200
    script_src = policy_of(response)["script-src"]
    for code in inline_code(response.content.decode()):
        assert sha256_source(code) in script_src, code


@pytest.mark.django_db
def test_swagger_ui_loads_its_files_from_this_site_not_a_cdn():
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html)


# In Chromium: the pages with their scripts report no violation of the policy.

CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("Content Security Policy violation: " + event.violatedDirective + " "
    + event.blockedURI + " " + event.sourceFile + ":" + event.lineNumber);
});
"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_buy_page_reports_no_content_security_policy_violation(pages):  # noqa: F811
    account, owner = make_account(name="Policy Corp", owner="policy-owner")
    alpha = make_workspace(account, name="Alpha", commercial=True)
    browser = pages(1280, prefix="csp")
    page = browser.page
    page.add_init_script(CSP_REPORTER)
    reported = []
    page.on(
        "console",
        lambda message: (
            reported.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    browser.login(owner.username, PASSWORD)
    response = browser.go("/buy/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.check("input[name=plan][value=startup_acceleration]")
    page.click(f"#available-workspaces li[data-id='{alpha.pk}'] >> text=Add")
    page.wait_for_selector("[data-testid=quote-total]")  # buy.js asked the quote endpoint
    browser.snap("buy")
    page.select_option("[data-testid=language]", "zh-hans")  # the hashed onchange handler
    page.wait_for_selector("text=费用中心")
    browser.go("/wallet/")  # its inline submit-once script
    browser.snap("wallet")
    assert reported == []

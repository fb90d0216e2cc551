"""The project's wiring: settings from the environment, docs, compose file."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def test_time_zone_and_database():
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert settings.DATABASES["default"]["ATOMIC_REQUESTS"] is False
    assert settings.AUTH_USER_MODEL == "workspaces.User"


def test_every_environment_variable_read_by_settings_is_documented():
    source = (ROOT / "billing_center" / "settings.py").read_text()
    used = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', source)) | {"DATABASE_URL"}
    documented = set(
        re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE)
    )
    assert used - documented == set()


def test_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    first_commands = re.findall(r"^\s*(make \w+)", readme, re.MULTILINE)[:2]
    assert first_commands == ["make run", "make test"]
    assert "docs/architecture.md" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_requirements_are_pinned():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            assert "==" in line, line


def compose_command() -> list[str] | None:
    """`docker compose` (v2 plugin) when the docker client has it, else Debian's docker-compose."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


@pytest.mark.skipif(
    compose_command() is None, reason="neither docker compose nor docker-compose is installed"
)
def test_docker_compose_file_is_valid():
    compose = [*compose_command(), "-f", str(ROOT / "docker-compose.yml"), "config"]
    result = subprocess.run([*compose, "--quiet"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    services = subprocess.run(
        [*compose, "--services"], capture_output=True, text=True, cwd=ROOT
    ).stdout.split()
    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}


@pytest.mark.django_db
def test_the_any_lookup_finds_the_same_rows_as_in():
    from tests.factories import make_account, make_workspace
    from workspaces.models import Workspace

    account, _ = make_account()
    ids = [make_workspace(account, name=f"w{number}").pk for number in range(3)]
    assert set(Workspace.objects.filter(pk__any=ids[:2]).values_list("pk", flat=True)) == set(
        ids[:2]
    )
    assert list(Workspace.objects.filter(account_id__any=[account.pk]).order_by("pk")) == list(
        Workspace.objects.filter(account_id__in=[account.pk]).order_by("pk")
    )
    assert not Workspace.objects.filter(pk__any=[]).exists()


def test_the_import_contracts_of_the_architecture_hold():
    """`.importlinter`: apps depend one way and selectors never import services."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports")],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
NOT_MEASURED = {".venv", "tests", "bench", "var", "node_modules", "staticfiles"}


def test_modules_and_functions_stay_small():
    """A module past 400 lines grows into a package; a function past 60 lines is split (tests,
    migrations and benchmarks excepted)."""
    import ast

    root = Path(settings.BASE_DIR)
    too_long = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if parts[0] in NOT_MEASURED or "migrations" in parts:
            continue
        text = path.read_text()
        where = path.relative_to(root)
        if len(text.splitlines()) > MAX_MODULE_LINES:
            too_long.append(f"{where}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{where}: {node.name} is {length} lines")
    assert not too_long, "\n".join(too_long)

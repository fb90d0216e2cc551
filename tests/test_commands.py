"""Operations commands: create_account, seed_demo."""

import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from demo.seed import DEMO_OWNER, DEMO_PASSWORD
from workspaces.models import Account, Membership, Workspace

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_account_prints_the_id_and_makes_the_owner():
    output = run(
        "create_account", "--name", "Acme", "--username", "acme", "--password", "acme-strong-pass-1"
    )
    account = Account.objects.get(pk=int(output.strip()))
    assert account.name == "Acme"
    membership = Membership.objects.get(account=account)
    assert (membership.user.username, membership.role) == ("acme", "owner")
    assert membership.user.check_password("acme-strong-pass-1")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", " ", "--username", "u1", "--password", "acme-strong-pass-1"], "name"),
        (["--name", "A", "--username", "u2", "--password", "123"], "password"),
    ],
)
def test_create_account_refuses_bad_input_with_one_line(args, message):
    with pytest.raises(CommandError) as error:
        run("create_account", *args)
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)
    assert not Account.objects.filter(memberships__user__username__in=["u1", "u2"]).exists()


def test_create_account_refuses_a_taken_username():
    run("create_account", "--name", "A", "--username", "dup", "--password", "acme-strong-pass-1")
    with pytest.raises(CommandError, match="taken"):
        run(
            "create_account", "--name", "B", "--username", "dup", "--password", "acme-strong-pass-1"
        )
    assert Account.objects.filter(name="B").count() == 0


def test_seed_demo_is_idempotent_and_logs_in():
    first = run("seed_demo")
    counts = (Account.objects.count(), Workspace.objects.count(), Membership.objects.count())
    second = run("seed_demo")
    assert "created account Demo Enterprise" in first
    assert "nothing added" in second
    assert (
        Account.objects.count(),
        Workspace.objects.count(),
        Membership.objects.count(),
    ) == counts
    demo = Account.objects.get(name="Demo Enterprise")
    assert demo.workspaces.filter(plan="commercial").count() == 3
    assert demo.workspaces.filter(plan="free").count() == 2
    owner = Membership.objects.get(account=demo, role="owner").user
    assert owner.username == DEMO_OWNER and owner.check_password(DEMO_PASSWORD)
    # a shared package with usage, and every past demo day billed (free Sandbox is not)
    from quota.models import BillingRun, DailyBill, Subscription

    assert Subscription.objects.filter(account=demo).count() == 1
    assert BillingRun.objects.filter(status="done").count() == 14
    billed = set(DailyBill.objects.filter(account=demo).values_list("workspace__name", flat=True))
    assert billed == {"Production", "Staging", "Mobile App"}


def test_stack_script_prints_the_same_demo_login_as_seed_demo():
    source = (ROOT / "scripts" / "stack.py").read_text()
    assert f'DEMO_LOGIN = ("{DEMO_OWNER}", "{DEMO_PASSWORD}")' in source


def test_command_exits_non_zero_with_one_readable_line(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "create_account",
            "--name",
            "X",
            "--username",
            "y",
            "--password",
            "1",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "billing_center.test_settings"},
    )
    assert result.returncode != 0
    assert result.stderr.strip().startswith("CommandError: password:")
    assert len(result.stderr.strip().splitlines()) == 1

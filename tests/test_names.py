"""Names customers type refuse invisible control and format characters: in the service, so that
the form, the API and the command answer alike (issue 13, point 7)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from common.exceptions import InvalidInput
from common.text import name_clean, name_refused_characters
from tests.orders.helpers import owner_membership
from workspaces.models import Account, Workspace
from workspaces.services import account_create, workspace_create

pytestmark = pytest.mark.django_db

REFUSED = [
    "\u202e",  # right-to-left override: "#12" after the name reads "21#"
    "\u202a",  # left-to-right embedding
    "\u202b",
    "\u202c",  # pop directional formatting
    "\u202d",
    "\u2066",  # left-to-right isolate
    "\u2067",
    "\u2068",
    "\u2069",  # pop directional isolate
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    "\u061c",  # Arabic letter mark
    "\u200b",  # zero-width space
    "\ufeff",  # byte-order mark
    "\u0000",
    "\u0007",
    "\t",
    "\n",
    "\u0085",  # C1 next line
    "\u2028",  # line separator
]


@pytest.mark.parametrize("character", REFUSED)
def test_a_workspace_name_with_a_control_or_format_character_is_refused(account, character):
    with pytest.raises(InvalidInput) as refused:
        workspace_create(membership=owner_membership(account), name=f"生产{character}环境")
    assert refused.value.field == "name"
    assert refused.value.code == "invalid_characters"
    assert f"U+{ord(character):04X}" in refused.value.message
    assert not Workspace.objects.filter(account=account).exists()


@pytest.mark.parametrize(
    "name",
    ["生产环境", "Production #1", "مساحة العمل", "Ünïcødé – ok", "日志🚀", "W" * 100, "  空格  "],
)
def test_ordinary_names_of_any_script_are_kept(account, name):
    workspace = workspace_create(membership=owner_membership(account), name=name)
    assert workspace.name == name.strip()


def test_each_refused_character_is_named_once_in_order():
    assert name_refused_characters("a\u202eb\u202ec\u200fd") == ["U+202E", "U+200F"]
    assert name_clean("  北京  ") == "北京"


def test_an_account_name_with_a_right_to_left_override_is_refused(db):
    with pytest.raises(InvalidInput) as refused:
        account_create(name="示例\u202e科技", owner_username="rtl", owner_password="s3cret-pass-99")
    assert refused.value.field == "name"
    assert not Account.objects.filter(name__contains="示例").exists()


def test_the_create_account_command_refuses_it_with_a_message(db):
    with pytest.raises(CommandError, match="U\\+202E"):
        call_command(
            "create_account",
            "--name",
            "示例\u202e科技",
            "--username",
            "rtl-cmd",
            "--password",
            "s3cret-pass-99",
        )


def test_the_api_answers_400_naming_the_field(owner_api, account):
    response = owner_api.post("/api/v1/workspaces/", {"name": "#12\u202e"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == ["name"]
    assert body["codes"]["name"] == ["invalid_characters"]
    assert not Workspace.objects.filter(account=account).exists()


def test_the_form_shows_the_error_at_the_name(account_a):
    account, owner = account_a
    client = Client()
    client.force_login(owner)
    response = client.post("/workspaces/new/", {"name": "生产\u202e环境"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="field-error"' in html and "U+202E" in html
    assert not Workspace.objects.filter(account=account).exists()

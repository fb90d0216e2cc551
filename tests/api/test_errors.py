"""Every endpoint answers bad input with 400 and the documented error shape; never a 500."""

import json

import pytest
from rest_framework.test import APIClient

from tests.factories import make_workspace

pytestmark = pytest.mark.django_db


def assert_error_shape(response, status, field=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"errors", "codes"}
    assert isinstance(body["errors"], dict) and body["errors"]
    for key, messages in body["errors"].items():
        assert isinstance(key, str)
        assert isinstance(messages, list) and messages
        # every message has its stable code at the same place
        codes = body["codes"][key]
        assert isinstance(codes, list) and len(codes) == len(messages), body
        assert all(isinstance(code, str) and code.isidentifier() for code in codes), body
    assert set(body["codes"]) == set(body["errors"]), body
    if field is not None:
        assert field in body["errors"], body


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "username"),
        ({"username": "x"}, "password"),
        ({"username": "", "password": ""}, "username"),
        ({"username": ["a"], "password": "x"}, "username"),
        ({"username": "nobody", "password": "wrong"}, "detail"),
    ],
)
def test_token_login_bad_input(payload, field):
    response = APIClient().post("/api/v1/auth/token/", payload, format="json")
    assert_error_shape(response, 400, field)


def test_token_login_with_malformed_json():
    response = APIClient().post("/api/v1/auth/token/", "{not json", content_type="application/json")
    assert_error_shape(response, 400, "detail")


def test_token_login_gives_a_token_that_authenticates(account_a, password):
    _, owner = account_a
    client = APIClient()
    token = client.post(
        "/api/v1/auth/token/", {"username": owner.username, "password": password}, format="json"
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/account/").json()["name"] == "Alpha Corp"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": {"nested": 1}}, "name"),
    ],
)
def test_workspace_create_bad_input(owner_api, payload, field):
    assert_error_shape(owner_api.post("/api/v1/workspaces/", payload, format="json"), 400, field)


def test_workspace_create_duplicate_name_is_400_on_name(owner_api):
    assert owner_api.post("/api/v1/workspaces/", {"name": "Prod"}, format="json").status_code == 201
    assert_error_shape(
        owner_api.post("/api/v1/workspaces/", {"name": "Prod"}, format="json"), 400, "name"
    )


def test_workspace_create_with_malformed_json(owner_api):
    response = owner_api.post("/api/v1/workspaces/", "[1,", content_type="application/json")
    assert_error_shape(response, 400, "detail")


def test_workspace_create_with_a_list_body(owner_api):
    response = owner_api.post(
        "/api/v1/workspaces/", json.dumps([1, 2]), content_type="application/json"
    )
    assert_error_shape(response, 400, "detail")


def test_upgrade_of_a_commercial_workspace_is_a_409(owner_api, account_a):
    workspace = make_workspace(account_a[0], commercial=True)
    response = owner_api.post(f"/api/v1/workspaces/{workspace.pk}/upgrade/")
    assert_error_shape(response, 409, "detail")
    assert response.json()["codes"]["detail"] == ["already_commercial"]


@pytest.mark.parametrize(
    "path", ["/api/v1/workspaces/99999999999999999999/", "/api/v1/workspaces/0/"]
)
def test_ids_out_of_range_are_404_not_500(owner_api, path):
    assert_error_shape(owner_api.get(path), 404, "detail")


def test_huge_id_upgrade_is_404(owner_api):
    assert_error_shape(owner_api.post("/api/v1/workspaces/99999999999999999999/upgrade/"), 404)


@pytest.mark.parametrize("header", ["abc", "-1", "99999999999999999999", "0"])
def test_bad_account_header_is_404(owner_api, header):
    assert_error_shape(owner_api.get("/api/v1/account/", HTTP_X_BILLING_ACCOUNT=header), 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/account/"),
        ("get", "/api/v1/workspaces/"),
        ("post", "/api/v1/workspaces/"),
        ("get", "/api/v1/workspaces/1/"),
        ("post", "/api/v1/workspaces/1/upgrade/"),
    ],
)
def test_anonymous_requests_get_401_with_the_error_shape(method, path):
    assert_error_shape(getattr(APIClient(), method)(path), 401, "detail")


def test_wrong_token_is_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token nope")
    assert_error_shape(client.get("/api/v1/workspaces/"), 401, "detail")


def test_method_not_allowed_has_the_error_shape(owner_api):
    assert_error_shape(owner_api.delete("/api/v1/workspaces/"), 405, "detail")


def test_schema_documents_400_404_409_with_the_error_body():
    schema = APIClient().get("/api/schema/?format=json").json()
    upgrade = schema["paths"]["/api/v1/workspaces/{workspace_id}/upgrade/"]["post"]["responses"]
    assert {"400", "401", "403", "404", "409"} <= set(upgrade)
    create = schema["paths"]["/api/v1/workspaces/"]["post"]["responses"]
    assert {"201", "400", "401"} <= set(create)
    assert upgrade["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
    assert "errors" in schema["components"]["schemas"]["Error"]["properties"]


def test_swagger_ui_is_served():
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


@pytest.mark.parametrize("path", ["/api/v1/workspaces/null,null/upgrade/", "/api/v1/nothing-here/"])
def test_unknown_api_paths_answer_json_404(owner_api, path):
    response = owner_api.post(path)
    assert response["Content-Type"] == "application/json"
    assert_error_shape(response, 404, "detail")


def test_account_scoped_operations_document_404_for_the_account_header():
    schema = APIClient().get("/api/schema/?format=json").json()
    assert "404" in schema["paths"]["/api/v1/account/"]["get"]["responses"]
    assert "404" in schema["paths"]["/api/v1/workspaces/"]["get"]["responses"]


def test_schema_has_no_warnings():
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")

"""REST API: token login and revocation, workspaces (list, create, upgrade)."""

import math

from axes.utils import reset as axes_reset
from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import ErrorSerializer
from common.exceptions import Forbidden
from workspaces.models import Membership, Workspace
from workspaces.selectors import membership_current, workspace_get, workspace_list
from workspaces.services import (
    api_token_create,
    api_token_revoke,
    api_tokens_revoke_all,
    workspace_create,
    workspace_upgrade,
)
from workspaces.signin import (
    TokenAuthentication,
    client_ip,
    locked_out_message,
    lockout_ends_at,
    seconds_until,
    signin_throttles,
    throttled_message,
)

ACCOUNT_HEADER = OpenApiParameter(
    name="X-Billing-Account",
    type=int,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Account id to act for, when the user belongs to several (default: the first).",
)


class AccountScopedAPIView(APIView):
    """An API view that acts for one account the user is a member of."""

    documents_not_found = True  # an X-Billing-Account the user is not a member of

    def get_membership(self) -> Membership:
        if not hasattr(self, "_membership"):
            self._membership = membership_current(
                user=self.request.user, account_id=self.request.headers.get("X-Billing-Account")
            )
        return self._membership


class TooManyAttempts(APIException):
    """429 with Retry-After (DRF's handler sets it from `wait`): code throttled or locked_out."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "throttled"

    def __init__(self, detail: str, *, code: str, wait: int):
        super().__init__(detail, code)
        self.wait = wait


class TextField(serializers.CharField):
    """A CharField that refuses lone surrogates ("\\ud800" in JSON): PostgreSQL and the
    password hashers cannot encode them (a 500 otherwise)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            self.fail("invalid")
        return value


TOO_MANY = OpenApiResponse(
    response=ErrorSerializer,
    description="Too many attempts (codes throttled, locked_out); Retry-After says when to retry.",
)


class TokenLoginView(APIView):
    """POST: a new token for a username and password. DELETE: revoke the token presented, or
    every token of its user with `?all=true`."""

    # POST carries its credentials in the body: a stale token header must not refuse the login.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    class TokenLoginSerializer(serializers.Serializer):
        username = TextField(max_length=150)
        password = TextField(
            max_length=128, trim_whitespace=False, style={"input_type": "password"}
        )

    class TokenSerializer(serializers.Serializer):
        token = serializers.CharField()
        expiry = serializers.DateTimeField(
            help_text="When the token expires unless used; each use moves it "
            "API_TOKEN_TTL_DAYS (30) days on, up to API_TOKEN_MAX_AGE_DAYS (90) after login."
        )

    class RevokeSerializer(serializers.Serializer):
        all = serializers.BooleanField(default=False)

    def _method(self) -> str | None:
        return getattr(getattr(self, "request", None), "method", None)

    def get_authenticators(self):
        if self._method() == "DELETE":
            return [TokenAuthentication()]
        return super().get_authenticators()

    def get_permissions(self):
        if self._method() == "DELETE":
            return [IsAuthenticated()]
        return super().get_permissions()

    def get_throttles(self):
        return signin_throttles() if self._method() == "POST" else []

    def throttled(self, request: Request, wait: float | None) -> None:
        seconds = max(1, math.ceil(wait)) if wait is not None else 60
        raise TooManyAttempts(throttled_message(seconds=seconds), code="throttled", wait=seconds)

    @extend_schema(
        request=TokenLoginSerializer,
        responses={200: TokenSerializer, 429: TOO_MANY},
        operation_id="auth_token",
    )
    def post(self, request: Request) -> Response:
        given = self.TokenLoginSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        username = given.validated_data["username"]
        django_request = request._request  # what django-axes reads and marks (AxesMiddleware)
        user = authenticate(
            request=django_request, username=username, password=given.validated_data["password"]
        )
        now = timezone.now()
        if user is None:
            if getattr(django_request, "axes_locked_out", False):
                ends = lockout_ends_at(django_request, username=username, now=now)
                seconds = seconds_until(ends, now=now)
                raise TooManyAttempts(
                    locked_out_message(seconds=seconds), code="locked_out", wait=seconds
                )
            raise serializers.ValidationError({"detail": [_("Wrong username or password.")]})
        # AXES_RESET_ON_SUCCESS for the API (no session login, so no user_logged_in signal).
        axes_reset(ip=client_ip(django_request), username=username)
        if user.password_change_required:  # a temporary password opens the portal only
            raise Forbidden(
                _("Sign in to the portal first and choose your own password."),
                code="password_change_required",
            )
        token, secret = api_token_create(user=user, now=now)
        return Response(self.TokenSerializer({"token": secret, "expiry": token.expiry}).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "all", bool, description="true: every token of the user, not only this one"
            )
        ],
        request=None,
        responses={204: None},
        operation_id="auth_token_revoke",
    )
    def delete(self, request: Request) -> Response:
        given = self.RevokeSerializer(data=request.query_params)
        given.is_valid(raise_exception=True)
        if given.validated_data["all"]:
            api_tokens_revoke_all(user_id=request.user.pk)
        else:
            api_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WorkspaceOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Workspace
        fields = ["id", "name", "plan", "status", "created_at", "upgraded_at"]


def _no_context(workspaces) -> dict:
    return {}


class WorkspaceOutputMixin:
    """How workspaces are rendered; the quota app adds the bound subscription."""

    output_serializer = WorkspaceOutputSerializer
    context_for = staticmethod(_no_context)

    def workspace_response(self, workspaces, *, many: bool = False, status: int = 200) -> Response:
        listed = list(workspaces) if many else [workspaces]
        data = self.output_serializer(workspaces, many=many, context=self.context_for(listed)).data
        return Response(data, status=status)


class WorkspaceListCreateView(WorkspaceOutputMixin, AccountScopedAPIView):
    class WorkspaceCreateSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)

    @extend_schema(
        parameters=[ACCOUNT_HEADER], responses={200: WorkspaceOutputSerializer(many=True)}
    )
    def get(self, request: Request) -> Response:
        workspaces = workspace_list(account=self.get_membership().account)
        return self.workspace_response(workspaces, many=True)

    @extend_schema(
        parameters=[ACCOUNT_HEADER],
        request=WorkspaceCreateSerializer,
        responses={201: WorkspaceOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        given = self.WorkspaceCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        workspace = workspace_create(
            membership=self.get_membership(), name=given.validated_data["name"]
        )
        return self.workspace_response(workspace, status=status.HTTP_201_CREATED)


class WorkspaceDetailView(WorkspaceOutputMixin, AccountScopedAPIView):
    @extend_schema(parameters=[ACCOUNT_HEADER], responses={200: WorkspaceOutputSerializer})
    def get(self, request: Request, workspace_id: int) -> Response:
        workspace = workspace_get(account=self.get_membership().account, workspace_id=workspace_id)
        return self.workspace_response(workspace)


class WorkspaceUpgradeView(WorkspaceOutputMixin, AccountScopedAPIView):
    documents_conflict = True

    @extend_schema(
        parameters=[ACCOUNT_HEADER], request=None, responses={200: WorkspaceOutputSerializer}
    )
    def post(self, request: Request, workspace_id: int) -> Response:
        workspace = workspace_upgrade(
            membership=self.get_membership(), workspace_id=workspace_id, now=timezone.now()
        )
        return self.workspace_response(workspace)

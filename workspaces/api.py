"""REST API: token login, workspaces (list, create, upgrade)."""

from django.contrib.auth import authenticate
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from workspaces.models import Membership, Workspace
from workspaces.selectors import membership_current, workspace_get, workspace_list
from workspaces.services import workspace_create, workspace_upgrade

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


class TokenLoginView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    class TokenLoginSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(
            max_length=128, trim_whitespace=False, style={"input_type": "password"}
        )

    class TokenSerializer(serializers.Serializer):
        token = serializers.CharField()

    @extend_schema(
        request=TokenLoginSerializer, responses={200: TokenSerializer}, operation_id="auth_token"
    )
    def post(self, request: Request) -> Response:
        given = self.TokenLoginSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        user = authenticate(
            request,
            username=given.validated_data["username"],
            password=given.validated_data["password"],
        )
        if user is None:
            raise serializers.ValidationError({"detail": ["Wrong username or password."]})
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


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

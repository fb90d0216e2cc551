"""REST API of the account and its wallet."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import MoneyField
from orders.selectors import account_balances
from workspaces.api import ACCOUNT_HEADER, AccountScopedAPIView
from workspaces.selectors import membership_require_billing


class AccountOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()
    cash_balance = MoneyField()
    arrears = MoneyField()
    arrears_since = serializers.DateTimeField(allow_null=True)
    lock_at = serializers.DateTimeField(allow_null=True)


class AccountView(AccountScopedAPIView):
    @extend_schema(parameters=[ACCOUNT_HEADER], responses={200: AccountOutputSerializer})
    def get(self, request: Request) -> Response:
        membership = membership_require_billing(membership=self.get_membership())
        balances = account_balances(account=membership.account)
        payload = {
            "id": membership.account_id,
            "name": membership.account.name,
            "role": membership.role,
            "cash_balance": balances.cash_balance,
            "arrears": balances.arrears,
            "arrears_since": balances.arrears_since,
            "lock_at": balances.lock_at,
        }
        return Response(AccountOutputSerializer(payload).data)

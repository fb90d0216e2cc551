"""REST API of orders: quotes, placing and paying an order, order history."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import MoneyField, TypedInputSerializer, choice_param
from common.dates import billing_day, parse_day
from common.exceptions import InvalidInput
from common.pagination import PAGE_HEADERS, CursorPaginatedMixin
from orders.models import OrderKind, OrderStatus
from orders.requests import OrderRequest, PaymentSplit, order_request_parse, payment_split_parse
from orders.selectors import order_get, order_list
from orders.services.checkout import order_place
from orders.services.kinds import order_quote
from orders.services.payment import payment_suggestion
from workspaces.api import ACCOUNT_HEADER, AccountScopedAPIView
from workspaces.selectors import membership_require_billing, membership_require_owner


class PackSerializer(serializers.Serializer):
    item = serializers.CharField()
    capacity = serializers.IntegerField(min_value=1)


class PartSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)


class PaymentSerializer(serializers.Serializer):
    cash = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    prepaid_cards = PartSerializer(many=True, required=False)
    vouchers = PartSerializer(many=True, required=False)


class OrderBodySerializer(TypedInputSerializer):
    """The order body → an OrderRequest (orders/requests.py)."""

    parse = staticmethod(order_request_parse)

    kind = serializers.ChoiceField(
        choices=["new_package", "traffic_packs", "upgrade", "renewal", "prepaid_card"]
    )
    plan = serializers.CharField(required=False)
    traffic_packs = PackSerializer(many=True, required=False)
    workspaces = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False)
    subscription = serializers.IntegerField(required=False, min_value=1)
    face_value = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)


def _order_and_payment(body) -> tuple[OrderRequest, PaymentSplit]:
    order = order_request_parse(body)
    return order, payment_split_parse(body.get("payment"))


class OrderCreateSerializer(OrderBodySerializer):
    """The order body with its payment → (OrderRequest, PaymentSplit)."""

    parse = staticmethod(_order_and_payment)
    payment = PaymentSerializer(required=False)


class QuoteLineSerializer(serializers.Serializer):
    description = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = serializers.CharField()
    amount = serializers.CharField()
    item = serializers.CharField(required=False, help_text="A traffic pack's line: its item")
    capacity = serializers.IntegerField(
        required=False, help_text="A traffic pack's line: its daily capacity"
    )


class OrderLineSerializer(serializers.Serializer):
    description = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = serializers.CharField()
    amount = serializers.CharField()


class PaymentOutSerializer(serializers.Serializer):
    cash = serializers.CharField()
    prepaid_cards = serializers.ListField(child=serializers.DictField())
    vouchers = serializers.ListField(child=serializers.DictField())


class ShortfallSerializer(serializers.Serializer):
    """What the account lacks to pay the quote, and what it holds that could pay it."""

    missing = MoneyField()
    total = MoneyField()
    cash_balance = MoneyField()
    prepaid_cards = MoneyField()
    vouchers = MoneyField()


class QuoteSerializer(serializers.Serializer):
    kind = serializers.CharField()
    lines = QuoteLineSerializer(many=True)
    total = MoneyField()
    suggested_payment = PaymentOutSerializer()
    payment_shortfall = ShortfallSerializer(allow_null=True)


class OrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    total = MoneyField()
    lines = OrderLineSerializer(many=True)
    payment = PaymentOutSerializer()
    subscription = serializers.IntegerField(source="subscription_id", allow_null=True)
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField()


class OrderQuoteView(AccountScopedAPIView):
    documents_conflict = True

    @extend_schema(
        parameters=[ACCOUNT_HEADER], request=OrderBodySerializer, responses={200: QuoteSerializer}
    )
    def post(self, request: Request) -> Response:
        membership = membership_require_billing(membership=self.get_membership())
        given = OrderBodySerializer(data=request.data)
        given.is_valid(raise_exception=True)
        now = timezone.now()
        quote = order_quote(
            account=membership.account, request=given.validated_data, today=billing_day(now)
        )
        suggestion = payment_suggestion(account=membership.account, quote=quote, now=now)
        shortfall = suggestion.shortfall
        payload = {
            "kind": quote.kind,
            "lines": [line.as_dict() for line in quote.lines],
            "total": quote.total,
            # never above what the account holds; what it cannot cover is payment_shortfall
            "suggested_payment": suggestion.as_dict(),
            "payment_shortfall": shortfall.as_dict() if shortfall else None,
        }
        return Response(QuoteSerializer(payload).data)


class OrderListCreateView(CursorPaginatedMixin, AccountScopedAPIView):
    documents_conflict = True

    @extend_schema(
        parameters=[
            ACCOUNT_HEADER,
            OpenApiParameter("kind", str, enum=OrderKind.values),
            OpenApiParameter("status", str, enum=OrderStatus.values),
            OpenApiParameter("date_from", str, description="YYYY-MM-DD (the day it was placed)"),
            OpenApiParameter("date_to", str, description="YYYY-MM-DD, included"),
            *PAGE_HEADERS,
        ],
        responses={200: OrderSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        """Order history, newest first, a page at a time (`next` links the following page)."""
        membership = membership_require_billing(membership=self.get_membership())
        params = request.query_params
        kind = choice_param(
            params.get("kind"), field="kind", choices=OrderKind.values, code="unknown_kind"
        )
        order_status = choice_param(
            params.get("status"), field="status", choices=OrderStatus.values, code="unknown_status"
        )
        date_from = parse_day(params.get("date_from"), field="date_from")
        date_to = parse_day(params.get("date_to"), field="date_to")
        if date_from and date_to and date_from > date_to:
            raise InvalidInput(
                _("date_from must not be after date_to."), field="date_from", code="invalid_range"
            )
        orders = order_list(
            account=membership.account,
            kind=kind,
            status=order_status,
            date_from=date_from,
            date_to=date_to,
        )
        return self.paginated_response(orders, OrderSerializer)

    @extend_schema(
        parameters=[
            ACCOUNT_HEADER,
            OpenApiParameter(
                "Idempotency-Key", str, OpenApiParameter.HEADER, description="Same key, same order"
            ),
        ],
        request=OrderCreateSerializer,
        responses={201: OrderSerializer},
    )
    def post(self, request: Request) -> Response:
        membership = membership_require_owner(membership=self.get_membership())
        given = OrderCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        order_request, payment = given.validated_data
        order, created = order_place(
            membership=membership,
            request=order_request,
            payment=payment,
            idempotency_key=request.headers.get("Idempotency-Key"),
            now=timezone.now(),
        )
        response = Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)
        if not created:
            response["Idempotent-Replayed"] = "true"
        return response


class OrderDetailView(AccountScopedAPIView):
    @extend_schema(parameters=[ACCOUNT_HEADER], responses={200: OrderSerializer})
    def get(self, request: Request, order_id: int) -> Response:
        membership = self.get_membership()
        order = order_get(account=membership.account, order_id=order_id)
        membership_require_billing(membership=membership)
        return Response(OrderSerializer(order).data)

"""REST API of the account's money: balances, vouchers, cards, orders, ledger, statements."""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import CSVRenderer, MoneyField, csv_response, parse_date_param, wants_csv
from common.dates import billing_day
from common.exceptions import InvalidInput
from orders.models import Instrument
from orders.selectors import (
    LEDGER_COLUMNS,
    account_balances,
    instrument_status,
    ledger_list,
    order_get,
    order_list,
    prepaid_card_list,
    spend_alert_list,
    statement_for,
    usable_balances,
    voucher_list,
)
from orders.services.alerts import spend_alert_set
from orders.services.checkout import order_place, order_quote, suggest_payment
from orders.services.wallet import voucher_redeem
from workspaces.api import ACCOUNT_HEADER, AccountScopedAPIView
from workspaces.selectors import membership_require_billing, membership_require_owner

CSV_FORMAT = OpenApiParameter(
    "format", str, enum=["json", "csv"], description="csv: a spreadsheet download"
)


class AccountOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()
    cash_balance = MoneyField()
    arrears = MoneyField()
    arrears_since = serializers.DateTimeField(allow_null=True)
    lock_at = serializers.DateTimeField(allow_null=True)
    vouchers_balance = MoneyField()
    prepaid_cards_balance = MoneyField()


class AccountView(AccountScopedAPIView):
    @extend_schema(parameters=[ACCOUNT_HEADER], responses={200: AccountOutputSerializer})
    def get(self, request: Request) -> Response:
        membership = membership_require_billing(membership=self.get_membership())
        balances = account_balances(account=membership.account)
        usable = usable_balances(account=membership.account, now=timezone.now())
        payload = {
            "id": membership.account_id,
            "name": membership.account.name,
            "role": membership.role,
            "cash_balance": balances.cash_balance,
            "arrears": balances.arrears,
            "arrears_since": balances.arrears_since,
            "lock_at": balances.lock_at,
            "vouchers_balance": usable["vouchers"],
            "prepaid_cards_balance": usable["prepaid_cards"],
        }
        return Response(AccountOutputSerializer(payload).data)


class InstrumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    face_value = MoneyField()
    balance = MoneyField()
    expires_at = serializers.DateTimeField()
    status = serializers.SerializerMethodField()

    def get_status(self, instrument) -> str:
        return instrument_status(instrument, now=self.context["now"])


class VoucherSerializer(InstrumentSerializer):
    kind = serializers.CharField()


class PrepaidCardSerializer(InstrumentSerializer):
    number = serializers.CharField()


class VoucherListView(AccountScopedAPIView):
    @extend_schema(parameters=[ACCOUNT_HEADER], responses={200: VoucherSerializer(many=True)})
    def get(self, request: Request) -> Response:
        membership = membership_require_billing(membership=self.get_membership())
        vouchers = voucher_list(account=membership.account)
        return Response(
            VoucherSerializer(vouchers, many=True, context={"now": timezone.now()}).data
        )


class VoucherRedeemView(AccountScopedAPIView):
    documents_conflict = True

    class RedeemSerializer(serializers.Serializer):
        code = serializers.CharField(max_length=32)

    @extend_schema(
        parameters=[ACCOUNT_HEADER], request=RedeemSerializer, responses={201: VoucherSerializer}
    )
    def post(self, request: Request) -> Response:
        membership = membership_require_owner(membership=self.get_membership())
        given = self.RedeemSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        now = timezone.now()
        voucher = voucher_redeem(
            account_id=membership.account_id,
            code=given.validated_data["code"],
            actor=request.user,
            now=now,
        )
        return Response(
            VoucherSerializer(voucher, context={"now": now}).data, status=status.HTTP_201_CREATED
        )


class PrepaidCardListView(AccountScopedAPIView):
    @extend_schema(parameters=[ACCOUNT_HEADER], responses={200: PrepaidCardSerializer(many=True)})
    def get(self, request: Request) -> Response:
        membership = membership_require_billing(membership=self.get_membership())
        cards = prepaid_card_list(account=membership.account)
        return Response(
            PrepaidCardSerializer(cards, many=True, context={"now": timezone.now()}).data
        )


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


class OrderBodySerializer(serializers.Serializer):
    """Documentation of the order body; the checkout service validates it whole."""

    kind = serializers.ChoiceField(
        choices=["new_package", "traffic_packs", "upgrade", "renewal", "prepaid_card"]
    )
    plan = serializers.CharField(required=False)
    traffic_packs = PackSerializer(many=True, required=False)
    workspaces = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False)
    subscription = serializers.IntegerField(required=False, min_value=1)
    face_value = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)


class OrderCreateSerializer(OrderBodySerializer):
    payment = PaymentSerializer(required=False)


class QuoteLineSerializer(serializers.Serializer):
    description = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = serializers.CharField()
    amount = serializers.CharField()


class PaymentOutSerializer(serializers.Serializer):
    cash = serializers.CharField()
    prepaid_cards = serializers.ListField(child=serializers.DictField())
    vouchers = serializers.ListField(child=serializers.DictField())


class QuoteSerializer(serializers.Serializer):
    kind = serializers.CharField()
    lines = QuoteLineSerializer(many=True)
    total = MoneyField()
    suggested_payment = PaymentOutSerializer()


class OrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    total = MoneyField()
    lines = QuoteLineSerializer(many=True)
    payment = PaymentOutSerializer()
    subscription = serializers.IntegerField(source="subscription_id", allow_null=True)
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField()


def _order_data(body) -> dict:
    if not isinstance(body, dict):
        raise InvalidInput(_("Send an order object."), field="detail")
    return {key: value for key, value in body.items() if key != "payment"}


class OrderQuoteView(AccountScopedAPIView):
    documents_conflict = True

    @extend_schema(
        parameters=[ACCOUNT_HEADER], request=OrderBodySerializer, responses={200: QuoteSerializer}
    )
    def post(self, request: Request) -> Response:
        membership = membership_require_billing(membership=self.get_membership())
        now = timezone.now()
        quote = order_quote(
            account=membership.account, data=_order_data(request.data), today=billing_day(now)
        )
        payload = {
            "kind": quote.kind,
            "lines": [line.as_dict() for line in quote.lines],
            "total": quote.total,
            "suggested_payment": suggest_payment(account=membership.account, quote=quote, now=now),
        }
        return Response(QuoteSerializer(payload).data)


class OrderListCreateView(AccountScopedAPIView):
    documents_conflict = True

    @extend_schema(parameters=[ACCOUNT_HEADER], responses={200: OrderSerializer(many=True)})
    def get(self, request: Request) -> Response:
        membership = membership_require_billing(membership=self.get_membership())
        return Response(
            OrderSerializer(order_list(account=membership.account)[:500], many=True).data
        )

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
        body = request.data
        order, created = order_place(
            membership=self.get_membership(),
            data=_order_data(body),
            payment=body.get("payment"),
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


class LedgerEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    instrument = serializers.CharField()
    instrument_id = serializers.SerializerMethodField()
    amount = MoneyField()
    balance_after = MoneyField()
    kind = serializers.CharField()
    order = serializers.IntegerField(source="order_id", allow_null=True)
    daily_bill = serializers.IntegerField(source="daily_bill_id", allow_null=True)
    reference = serializers.CharField()

    def get_instrument_id(self, entry) -> int | None:
        return entry.voucher_id or entry.prepaid_card_id


class LedgerView(AccountScopedAPIView):
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]

    @extend_schema(
        parameters=[
            ACCOUNT_HEADER,
            OpenApiParameter("date_from", str, description="YYYY-MM-DD"),
            OpenApiParameter("date_to", str, description="YYYY-MM-DD"),
            OpenApiParameter("instrument", str, enum=Instrument.values),
            CSV_FORMAT,
        ],
        responses={200: LedgerEntrySerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        membership = membership_require_billing(membership=self.get_membership())
        params = request.query_params
        instrument = params.get("instrument") or None
        if instrument is not None and instrument not in Instrument.values:
            raise InvalidInput(
                _("instrument is one of %(values)s.") % {"values": ", ".join(Instrument.values)},
                field="instrument",
            )
        entries = ledger_list(
            account=membership.account,
            date_from=parse_date_param(params.get("date_from"), "date_from"),
            date_to=parse_date_param(params.get("date_to"), "date_to"),
            instrument=instrument,
        )
        data = LedgerEntrySerializer(entries[:5000], many=True).data
        if wants_csv(request):
            return csv_response(
                "ledger.csv", LEDGER_COLUMNS, ([row[c] for c in LEDGER_COLUMNS] for row in data)
            )
        return Response(data)


class StatementSerializer(serializers.Serializer):
    month = serializers.SerializerMethodField()
    payg_charged = MoneyField()
    paid_by_vouchers = MoneyField()
    paid_by_cards = MoneyField()
    paid_by_cash = MoneyField()
    left_in_arrears = MoneyField()
    orders_total = MoneyField()
    orders_count = serializers.IntegerField()
    arrears_at_month_end = MoneyField()
    final = serializers.SerializerMethodField()

    def get_month(self, statement) -> str:
        return f"{statement.month:%Y-%m}"

    def get_final(self, statement) -> bool:
        return statement.pk is not None


class StatementView(AccountScopedAPIView):
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]

    @extend_schema(
        parameters=[
            ACCOUNT_HEADER,
            OpenApiParameter("month", str, description="YYYY-MM (default: this month)"),
            CSV_FORMAT,
        ],
        responses={200: StatementSerializer},
    )
    def get(self, request: Request) -> Response:
        membership = membership_require_billing(membership=self.get_membership())
        now = timezone.now()
        raw = request.query_params.get("month")
        try:
            month = date.fromisoformat(f"{raw}-01") if raw else billing_day(now).replace(day=1)
        except ValueError:
            raise InvalidInput(_("Use the format YYYY-MM."), field="month") from None
        data = StatementSerializer(
            statement_for(account=membership.account, month=month, now=now)
        ).data
        if wants_csv(request):
            return csv_response(f"statement-{data['month']}.csv", ["field", "value"], data.items())
        return Response(data)


class SpendAlertSerializer(serializers.Serializer):
    workspace = serializers.IntegerField(source="workspace_id")
    item = serializers.CharField(source="item.code")
    threshold = MoneyField()


class SpendAlertInputSerializer(serializers.Serializer):
    workspace = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    item = serializers.CharField(max_length=32)
    threshold = serializers.CharField(
        allow_blank=True, allow_null=True, help_text="Empty removes the alert"
    )


class SpendAlertView(AccountScopedAPIView):
    @extend_schema(parameters=[ACCOUNT_HEADER], responses={200: SpendAlertSerializer(many=True)})
    def get(self, request: Request) -> Response:
        membership = membership_require_billing(membership=self.get_membership())
        return Response(
            SpendAlertSerializer(spend_alert_list(account=membership.account), many=True).data
        )

    @extend_schema(
        parameters=[ACCOUNT_HEADER],
        request=SpendAlertInputSerializer,
        responses={200: SpendAlertSerializer(many=True)},
    )
    def post(self, request: Request) -> Response:
        membership = self.get_membership()
        given = SpendAlertInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        spend_alert_set(
            membership=membership,
            workspace_id=given.validated_data["workspace"],
            item_code=given.validated_data["item"],
            threshold=given.validated_data["threshold"],
        )
        return Response(
            SpendAlertSerializer(spend_alert_list(account=membership.account), many=True).data
        )

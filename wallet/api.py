"""REST API of the wallet: the account's balances, vouchers, prepaid cards and the ledger."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import CSV_FORMAT, CSVDownloadMixin, MoneyField, choice_param, wants_csv
from common.csv_export import CSV_CHUNK_SIZE, csv_response
from common.dates import parse_day
from common.pagination import PAGE_HEADERS, CSVCursorPage, CursorPaginatedMixin, page_or_csv
from wallet.models import Instrument
from wallet.selectors import (
    LEDGER_COLUMNS,
    account_balances,
    instrument_status,
    ledger_list,
    prepaid_card_list,
    usable_balances,
    voucher_list,
)
from wallet.services.instruments import voucher_redeem
from workspaces.api import ACCOUNT_HEADER, AccountScopedAPIView
from workspaces.selectors import membership_require_billing, membership_require_owner


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


def _held_list(view: AccountScopedAPIView, serializer_class, selector) -> Response:
    """The account's vouchers or cards (`selector`), each with its status now."""
    membership = membership_require_billing(membership=view.get_membership())
    held = selector(account=membership.account)
    return Response(serializer_class(held, many=True, context={"now": timezone.now()}).data)


class VoucherListView(AccountScopedAPIView):
    @extend_schema(parameters=[ACCOUNT_HEADER], responses={200: VoucherSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return _held_list(self, VoucherSerializer, voucher_list)


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
        return _held_list(self, PrepaidCardSerializer, prepaid_card_list)


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
    adjustment = serializers.IntegerField(source="adjustment_id", allow_null=True)
    adjustment_reason = serializers.SerializerMethodField()

    def get_instrument_id(self, entry) -> int | None:
        return entry.voucher_id or entry.prepaid_card_id

    def get_adjustment_reason(self, entry) -> str:
        return entry.adjustment.reason if entry.adjustment_id else ""


class LedgerView(CSVDownloadMixin, CursorPaginatedMixin, AccountScopedAPIView):
    pagination_class = CSVCursorPage

    @extend_schema(
        parameters=[
            ACCOUNT_HEADER,
            OpenApiParameter("date_from", str, description="YYYY-MM-DD"),
            OpenApiParameter("date_to", str, description="YYYY-MM-DD"),
            OpenApiParameter("instrument", str, enum=Instrument.values),
            CSV_FORMAT,
            *PAGE_HEADERS,
        ],
        responses=page_or_csv(LedgerEntrySerializer),
    )
    def get(self, request: Request) -> Response:
        membership = membership_require_billing(membership=self.get_membership())
        params = request.query_params
        instrument = choice_param(
            params.get("instrument"), field="instrument", choices=Instrument.values
        )
        entries = ledger_list(
            account=membership.account,
            date_from=parse_day(params.get("date_from"), field="date_from"),
            date_to=parse_day(params.get("date_to"), field="date_to"),
            instrument=instrument,
        )
        if wants_csv(request):
            row = LedgerEntrySerializer().to_representation  # one serializer for every row
            return csv_response(
                "ledger.csv",
                LEDGER_COLUMNS,
                (
                    [data[c] for c in LEDGER_COLUMNS]
                    for data in map(row, entries.iterator(chunk_size=CSV_CHUNK_SIZE))
                ),
            )
        return self.paginated_response(entries, LedgerEntrySerializer)

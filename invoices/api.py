"""REST API of invoices (SPEC 6.4): the enterprise verification, mailing addresses, invoice
requests with their statuses, the invoiceable balance and the issued PDF."""

import json

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import renderers, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import BIGINT_MAX, MoneyField, TypedInputSerializer, choice_param
from common.pagination import PAGE_HEADERS, CursorPaginatedMixin
from invoices.downloads import invoice_pdf_response
from invoices.models import InvoiceStatus, InvoiceType
from invoices.selectors import (
    address_list,
    invoice_pdf_get,
    invoice_request_list,
    invoiceable_balance,
    verification_or_blank,
)
from invoices.services.addresses import address_create, address_delete, address_details_parse
from invoices.services.requests import invoice_ask_parse, invoice_request_create
from invoices.services.verification import enterprise_details_parse, verification_update
from workspaces.api import ACCOUNT_HEADER, AccountScopedAPIView
from workspaces.selectors import membership_require_billing, membership_require_owner


class VerificationSerializer(serializers.Serializer):
    registered_name = serializers.CharField()
    taxpayer_id = serializers.CharField(help_text="Unified social credit code (18 characters)")
    status = serializers.ChoiceField(choices=["unverified", "verified", "rejected"])
    reason = serializers.CharField(help_text="Why an operator rejected it")
    bank_name = serializers.CharField()
    bank_account = serializers.CharField()
    registered_address = serializers.CharField()
    registered_phone = serializers.CharField()
    verified_at = serializers.DateTimeField(allow_null=True)


class VerificationInputSerializer(TypedInputSerializer):
    """The enterprise details → EnterpriseDetails (bank and address: VAT special only)."""

    parse = staticmethod(enterprise_details_parse)

    registered_name = serializers.CharField(max_length=200)
    taxpayer_id = serializers.CharField(max_length=18)
    bank_name = serializers.CharField(max_length=100, required=False)
    bank_account = serializers.CharField(max_length=40, required=False)
    registered_address = serializers.CharField(max_length=200, required=False)
    registered_phone = serializers.CharField(max_length=30, required=False)


class VerificationView(AccountScopedAPIView):
    @extend_schema(parameters=[ACCOUNT_HEADER], responses={200: VerificationSerializer})
    def get(self, request: Request) -> Response:
        membership = membership_require_billing(membership=self.get_membership())
        return Response(
            VerificationSerializer(verification_or_blank(account=membership.account)).data
        )

    @extend_schema(
        parameters=[ACCOUNT_HEADER],
        request=VerificationInputSerializer,
        responses={200: VerificationSerializer},
    )
    def put(self, request: Request) -> Response:
        """Verified at once when the name is given and the code's check character is right;
        only an owner changes it."""
        membership = membership_require_owner(membership=self.get_membership())
        given = VerificationInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        verification = verification_update(
            membership=membership, details=given.validated_data, now=timezone.now()
        )
        return Response(VerificationSerializer(verification).data)


class AddressSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    recipient = serializers.CharField()
    phone = serializers.CharField()
    address = serializers.CharField()
    is_default = serializers.BooleanField()


class AddressInputSerializer(TypedInputSerializer):
    parse = staticmethod(address_details_parse)

    recipient = serializers.CharField(max_length=100)
    phone = serializers.CharField(max_length=30)
    address = serializers.CharField(max_length=300)
    is_default = serializers.BooleanField(required=False)


class AddressListView(AccountScopedAPIView):
    @extend_schema(parameters=[ACCOUNT_HEADER], responses={200: AddressSerializer(many=True)})
    def get(self, request: Request) -> Response:
        membership = membership_require_billing(membership=self.get_membership())
        return Response(AddressSerializer(address_list(account=membership.account), many=True).data)

    @extend_schema(
        parameters=[ACCOUNT_HEADER],
        request=AddressInputSerializer,
        responses={201: AddressSerializer},
    )
    def post(self, request: Request) -> Response:
        membership = membership_require_billing(membership=self.get_membership())
        given = AddressInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        address = address_create(
            membership=membership, details=given.validated_data, now=timezone.now()
        )
        return Response(AddressSerializer(address).data, status=status.HTTP_201_CREATED)


class AddressDetailView(AccountScopedAPIView):
    @extend_schema(parameters=[ACCOUNT_HEADER], responses={204: None})
    def delete(self, request: Request, address_id: int) -> Response:
        membership = membership_require_billing(membership=self.get_membership())
        address_delete(membership=membership, address_id=address_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvoiceRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.ChoiceField(choices=InvoiceType.values)
    title = serializers.CharField()
    taxpayer_id = serializers.CharField()
    amount = MoneyField()
    status = serializers.ChoiceField(choices=InvoiceStatus.values)
    invoice_number = serializers.CharField()
    issued_on = serializers.DateField(allow_null=True)
    reason = serializers.CharField()
    requested_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    email = serializers.CharField()
    mail_recipient = serializers.CharField()
    mail_phone = serializers.CharField()
    mail_address = serializers.CharField()
    courier = serializers.CharField()
    tracking_number = serializers.CharField()
    mailed_on = serializers.DateField(allow_null=True)
    pdf_url = serializers.SerializerMethodField()

    def get_pdf_url(self, invoice) -> str | None:
        if invoice.status != InvoiceStatus.ISSUED or not invoice.pdf:
            return None
        path = reverse("api-invoice-pdf", args=[invoice.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class InvoiceRequestInputSerializer(TypedInputSerializer):
    """The request → InvoiceAsk; paper types go to `address` (default: the default address),
    electronic to `email` (default: the requesting user's)."""

    parse = staticmethod(invoice_ask_parse)

    type = serializers.ChoiceField(choices=InvoiceType.values)
    title = serializers.CharField(max_length=200, help_text="The verified registered name")
    amount = serializers.CharField(help_text='Up to the invoiceable balance, e.g. "41100.00"')
    address = serializers.IntegerField(required=False, min_value=1, max_value=BIGINT_MAX)
    email = serializers.EmailField(required=False)


class InvoiceListCreateView(CursorPaginatedMixin, AccountScopedAPIView):
    documents_conflict = True

    @extend_schema(
        parameters=[
            ACCOUNT_HEADER,
            OpenApiParameter("status", str, enum=InvoiceStatus.values),
            *PAGE_HEADERS,
        ],
        responses={200: InvoiceRequestSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        """The account's invoice requests, newest first, a page at a time."""
        membership = membership_require_billing(membership=self.get_membership())
        requests = invoice_request_list(
            account=membership.account,
            status=choice_param(
                request.query_params.get("status"),
                field="status",
                choices=InvoiceStatus.values,
                code="unknown_status",
            ),
        )
        return self.paginated_response(
            requests, InvoiceRequestSerializer, context={"request": request}
        )

    @extend_schema(
        parameters=[
            ACCOUNT_HEADER,
            OpenApiParameter(
                "Idempotency-Key", str, OpenApiParameter.HEADER, description="Same key, one request"
            ),
        ],
        request=InvoiceRequestInputSerializer,
        responses={201: InvoiceRequestSerializer},
    )
    def post(self, request: Request) -> Response:
        """Request an invoice: 409 `above_invoiceable` above the invoiceable balance."""
        membership = membership_require_billing(membership=self.get_membership())
        given = InvoiceRequestInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        invoice, created = invoice_request_create(
            membership=membership,
            ask=given.validated_data,
            idempotency_key=request.headers.get("Idempotency-Key"),
            now=timezone.now(),
        )
        answer = InvoiceRequestSerializer(invoice, context={"request": request}).data
        response = Response(answer, status=status.HTTP_201_CREATED)
        if not created:
            response["Idempotent-Replayed"] = "true"
        return response


class InvoiceableSerializer(serializers.Serializer):
    invoiceable = MoneyField()


class InvoiceableView(AccountScopedAPIView):
    @extend_schema(parameters=[ACCOUNT_HEADER], responses={200: InvoiceableSerializer})
    def get(self, request: Request) -> Response:
        """Cash spent on orders and bills − cash given back by credits − requested amounts."""
        membership = membership_require_billing(membership=self.get_membership())
        balance = invoiceable_balance(account_id=membership.account_id)
        return Response(InvoiceableSerializer({"invoiceable": balance}).data)


class PDFRenderer(renderers.BaseRenderer):
    """Lets `Accept: application/pdf` through content negotiation; the view answers the file."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data, default=str).encode()  # an error body


class InvoicePdfView(AccountScopedAPIView):
    renderer_classes = [renderers.JSONRenderer, PDFRenderer]

    @extend_schema(
        parameters=[ACCOUNT_HEADER], responses={(200, "application/pdf"): OpenApiTypes.BINARY}
    )
    def get(self, request: Request, request_id: int):
        """The issued invoice's PDF (404 until it is issued, and for another account's)."""
        membership = membership_require_billing(membership=self.get_membership())
        return invoice_pdf_response(
            invoice_pdf_get(account=membership.account, request_id=request_id)
        )

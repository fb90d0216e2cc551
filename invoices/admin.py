"""Django admin of invoices: requests and verifications are shown read-only; issuing,
rejecting, mailing and verification decisions are service forms, one page each."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join

from common.admin import ReadOnlyMixin, money_column
from common.dates import billing_day
from common.exceptions import ApplicationError
from invoices.models import (
    EnterpriseVerification,
    InvoiceRequest,
    InvoiceStatus,
    MailingAddress,
    VerificationStatus,
)
from invoices.services.decisions import (
    invoice_request_issue,
    invoice_request_mail,
    invoice_request_reject,
)
from invoices.services.verification import verification_confirm, verification_reject


class IssueForm(forms.Form):
    invoice_number = forms.CharField(max_length=40, help_text="As printed on the invoice")
    issued_on = forms.DateField(help_text="YYYY-MM-DD")
    pdf = forms.FileField(label="PDF", help_text="The invoice as a PDF file (at most 10 MiB)")


class RejectForm(forms.Form):
    reason = forms.CharField(
        max_length=1000, widget=forms.Textarea, help_text="Sent to the customer as written"
    )


class MailForm(forms.Form):
    courier = forms.CharField(max_length=60)
    tracking_number = forms.CharField(max_length=60)
    mailed_on = forms.DateField(help_text="YYYY-MM-DD")


class VerifyForm(forms.Form):
    confirm = forms.BooleanField(label="The documents match these details")


def decision_page(model_admin, request, obj, *, form_class, title: str, call, initial=None):
    """A form about one object; on a valid POST the service runs as the operator, now; its
    domain error shows on the form (at its field when the form has it)."""
    if not request.user.has_perm(f"invoices.change_{model_admin.opts.model_name}"):
        raise PermissionDenied
    form = form_class(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            message = call(form.cleaned_data, request.user, timezone.now())
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            model_admin.message_user(request, message, messages.SUCCESS)
            return redirect(
                reverse(f"admin:invoices_{model_admin.opts.model_name}_change", args=[obj.pk])
            )
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "opts": model_admin.opts,
        "original": obj,
        "submit": title,
    }
    return TemplateResponse(request, "admin/invoices/action_form.html", context)


def _links(obj, actions: list[tuple[str, str]]):
    return (
        format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            ((reverse(f"admin:{name}", args=[obj.pk]), label) for name, label in actions),
        )
        or "—"
    )


@admin.register(InvoiceRequest)
class InvoiceRequestAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "account",
        "type",
        "title",
        "amount_cny",
        "status",
        "requested_at",
        "invoice_number",
        "mailed_on",
        "operator_actions",
    ]
    list_filter = ["status", "type"]
    amount_cny = money_column("amount")
    search_fields = ["=id", "account__name", "title", "taxpayer_id", "invoice_number"]
    list_select_related = ["account"]
    date_hierarchy = "requested_at"
    readonly_fields = ["operator_actions"]

    @admin.display(description="Actions")
    def operator_actions(self, obj: InvoiceRequest):
        if obj.status == InvoiceStatus.REQUESTED:
            actions = [
                ("invoices_invoicerequest_issue", "Issue"),
                ("invoices_invoicerequest_reject", "Reject"),
            ]
        elif obj.status == InvoiceStatus.ISSUED and obj.is_paper:
            actions = [("invoices_invoicerequest_mail", "Record mailing")]
        else:
            actions = []
        return _links(obj, actions)

    def get_urls(self):
        own = [
            path(
                f"<int:pk>/{action}/",
                self.admin_site.admin_view(view),
                name=f"invoices_invoicerequest_{action}",
            )
            for action, view in (
                ("issue", self.issue_view),
                ("reject", self.reject_view),
                ("mail", self.mail_view),
            )
        ]
        return own + super().get_urls()

    def issue_view(self, request, pk: int):
        invoice = get_object_or_404(InvoiceRequest, pk=pk)

        def issue(data, actor, now):
            issued = invoice_request_issue(request_id=pk, actor=actor, now=now, **data)
            return f"Invoice {issued.invoice_number} issued; the customer was e-mailed."

        return decision_page(
            self,
            request,
            invoice,
            form_class=IssueForm,
            title=f"Issue invoice request #{pk} (¥{invoice.amount:,.2f}, {invoice.title})",
            call=issue,
            initial={"issued_on": billing_day(timezone.now())},
        )

    def reject_view(self, request, pk: int):
        invoice = get_object_or_404(InvoiceRequest, pk=pk)

        def reject(data, actor, now):
            invoice_request_reject(request_id=pk, reason=data["reason"], actor=actor, now=now)
            return f"Invoice request #{pk} rejected; its amount is invoiceable again."

        return decision_page(
            self, request, invoice, form_class=RejectForm, title=f"Reject #{pk}", call=reject
        )

    def mail_view(self, request, pk: int):
        invoice = get_object_or_404(InvoiceRequest, pk=pk)

        def mail(data, actor, now):
            invoice_request_mail(request_id=pk, actor=actor, now=now, **data)
            return (
                f"Mailing of invoice {invoice.invoice_number} recorded; the customer was e-mailed."
            )

        return decision_page(
            self,
            request,
            invoice,
            form_class=MailForm,
            title=f"Record the mailing of invoice {invoice.invoice_number or pk}",
            call=mail,
            initial={
                "mailed_on": billing_day(timezone.now()),
                "courier": invoice.courier,
                "tracking_number": invoice.tracking_number,
            },
        )


@admin.register(EnterpriseVerification)
class EnterpriseVerificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "account",
        "registered_name",
        "taxpayer_id",
        "status",
        "verified_at",
        "updated_at",
        "operator_actions",
    ]
    list_filter = ["status"]
    search_fields = ["account__name", "registered_name", "taxpayer_id"]
    list_select_related = ["account"]
    readonly_fields = ["operator_actions"]

    @admin.display(description="Actions")
    def operator_actions(self, obj: EnterpriseVerification):
        actions = []
        if obj.status != VerificationStatus.REJECTED:
            actions.append(("invoices_enterpriseverification_reject", "Reject"))
        if obj.status != VerificationStatus.VERIFIED:
            actions.append(("invoices_enterpriseverification_verify", "Verify"))
        return _links(obj, actions)

    def get_urls(self):
        return [
            path(
                "<int:pk>/reject/",
                self.admin_site.admin_view(self.reject_view),
                name="invoices_enterpriseverification_reject",
            ),
            path(
                "<int:pk>/verify/",
                self.admin_site.admin_view(self.verify_view),
                name="invoices_enterpriseverification_verify",
            ),
            *super().get_urls(),
        ]

    def reject_view(self, request, pk: int):
        verification = get_object_or_404(EnterpriseVerification, pk=pk)

        def reject(data, actor, now):
            verification_reject(verification_id=pk, reason=data["reason"], actor=actor, now=now)
            return f"Verification of {verification.account} rejected; its owners were e-mailed."

        return decision_page(
            self,
            request,
            verification,
            form_class=RejectForm,
            title=f"Reject the verification of {verification.account}",
            call=reject,
        )

    def verify_view(self, request, pk: int):
        verification = get_object_or_404(EnterpriseVerification, pk=pk)

        def verify(data, actor, now):
            verification_confirm(verification_id=pk, actor=actor, now=now)
            return f"{verification.registered_name} verified."

        return decision_page(
            self,
            request,
            verification,
            form_class=VerifyForm,
            title=f"Verify {verification.registered_name} ({verification.taxpayer_id})",
            call=verify,
        )


@admin.register(MailingAddress)
class MailingAddressAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["account", "recipient", "phone", "address", "is_default", "created_at"]
    search_fields = ["account__name", "recipient", "address"]
    list_select_related = ["account"]

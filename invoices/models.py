"""VAT invoices (fapiao, SPEC 6.4): the account's enterprise verification, its mailing addresses
and its invoice requests. Requests never change money: what may be invoiced is read from the
wallet's ledger (invoices/selectors.py)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from workspaces.models import Account


class VerificationStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("Not verified")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class EnterpriseVerification(models.Model):
    """Who the account is for the tax office: the registered name (every invoice title) and the
    unified social credit code; VAT special invoices also need the bank and address details."""

    account = models.OneToOneField(
        Account, on_delete=models.PROTECT, related_name="enterprise_verification"
    )
    registered_name = models.CharField(max_length=200)
    taxpayer_id = models.CharField(max_length=18, help_text="Unified social credit code")
    status = models.CharField(
        max_length=10, choices=VerificationStatus.choices, default=VerificationStatus.UNVERIFIED
    )
    reason = models.TextField(blank=True, help_text="Why an operator rejected it.")
    bank_name = models.CharField(max_length=100, blank=True)
    bank_account = models.CharField(max_length=40, blank=True)
    registered_address = models.CharField(max_length=200, blank=True)
    registered_phone = models.CharField(max_length=30, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["account__name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""),
                name="verification_rejected_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registered_name} ({self.taxpayer_id})"

    @property
    def has_special_details(self) -> bool:
        """What a VAT special invoice prints besides the name and the code."""
        return all(
            (self.bank_name, self.bank_account, self.registered_address, self.registered_phone)
        )


class MailingAddress(models.Model):
    """Where paper invoices go; an account has several and at most one default."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="mailing_addresses")
    recipient = models.CharField(max_length=100)
    phone = models.CharField(max_length=30)
    address = models.CharField(max_length=300)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-is_default", "pk"]
        verbose_name_plural = "mailing addresses"
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(is_default=True),
                name="one_default_address_per_account",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}, {self.address}"


class InvoiceType(models.TextChoices):
    VAT_ORDINARY = "vat_ordinary", _("VAT ordinary invoice (paper)")
    VAT_SPECIAL = "vat_special", _("VAT special invoice (paper)")
    ELECTRONIC = "electronic", _("Electronic ordinary invoice")


PAPER_TYPES = (InvoiceType.VAT_ORDINARY, InvoiceType.VAT_SPECIAL)


class InvoiceStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ISSUED = "issued", _("Issued")
    REJECTED = "rejected", _("Rejected")


def invoice_pdf_path(request: "InvoiceRequest", filename: str) -> str:
    """Under MEDIA_ROOT, never served as public media: only through the account's own views."""
    return f"invoices/{request.account_id}/{request.pk or 'new'}-{filename}"


class InvoiceRequest(models.Model):
    """An amount the customer asked to be invoiced; an operator issues it or rejects it. What
    the invoice prints (title, taxpayer id, bank details) and where it goes are copied when it
    is requested: a later change of the verification or an address keeps what was asked for."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="invoice_requests")
    type = models.CharField(max_length=12, choices=InvoiceType.choices)
    title = models.CharField(max_length=200)
    taxpayer_id = models.CharField(max_length=18)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    status = models.CharField(
        max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.REQUESTED
    )
    bank_name = models.CharField(max_length=100, blank=True)
    bank_account = models.CharField(max_length=40, blank=True)
    registered_address = models.CharField(max_length=200, blank=True)
    registered_phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True, help_text="Where an electronic invoice goes.")
    mail_recipient = models.CharField(max_length=100, blank=True)
    mail_phone = models.CharField(max_length=30, blank=True)
    mail_address = models.CharField(max_length=300, blank=True)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    invoice_number = models.CharField(max_length=40, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    pdf = models.FileField(upload_to=invoice_pdf_path, blank=True, max_length=300)
    reason = models.TextField(blank=True, help_text="Why it was rejected.")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    courier = models.CharField(max_length=60, blank=True)
    tracking_number = models.CharField(max_length=60, blank=True)
    mailed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["account", "status"], name="invoices_account_status_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="invoice_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="issued")
                | (~Q(invoice_number="") & Q(issued_on__isnull=False)),
                name="invoice_issued_with_number_and_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""),
                name="invoice_rejected_with_reason",
            ),
            models.UniqueConstraint(
                fields=["invoice_number"],
                condition=~Q(invoice_number=""),
                name="invoice_number_once",
            ),
            models.UniqueConstraint(
                fields=["account", "idempotency_key"], name="invoice_request_once_per_key"
            ),
        ]

    def __str__(self) -> str:
        return f"Invoice request #{self.pk} ({self.get_type_display()}, ¥{self.amount:,.2f})"

    @property
    def is_paper(self) -> bool:
        return self.type in PAPER_TYPES

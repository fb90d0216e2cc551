"""Forms of the wallet pages."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy


class BuyCardForm(forms.Form):
    face_value = forms.DecimalField(
        label=gettext_lazy("Card value (¥)"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("100"),
        initial=Decimal("10000"),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    @staticmethod
    def error_field(error) -> str | None:
        """Where a checkout error shows: at the card value, or above the form when it names
        another field."""
        field = error.field or "detail"
        return (
            "face_value"
            if field in ("face_value", "detail") or field.startswith("payment")
            else None
        )


class RedeemForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Activation code"), max_length=32)

    @staticmethod
    def error_field(error) -> str:
        return "code"

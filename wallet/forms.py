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


class RedeemForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Activation code"), max_length=32)

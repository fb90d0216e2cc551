"""What the invoice pages and the API accept as enterprise details: the unified social credit
code of GB 32100-2015 (18 characters with its check character), names, phones, free text."""

import re

from django.utils.translation import gettext as _

from common.exceptions import InvalidInput

# GB 32100-2015: digits and 21 capital letters (no I, O, S, V, Z).
CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CODE_WEIGHTS = [pow(3, position, 31) for position in range(17)]  # 1, 3, 9, 27, 19, 26, …
CODE_LENGTH = 18
PHONE = re.compile(r"\+?[0-9][0-9 ()\-]{4,28}[0-9]")
BANK_ACCOUNT = re.compile(r"[0-9][0-9 \-]{4,38}[0-9]")


def check_character(first_17: str) -> str:
    """The 18th character of a unified social credit code, computed from the first 17."""
    pairs = zip(first_17, CODE_WEIGHTS, strict=True)
    total = sum(CODE_ALPHABET.index(char) * weight for char, weight in pairs)
    return CODE_ALPHABET[(31 - total % 31) % 31]


def taxpayer_id_parse(value, *, field: str = "taxpayer_id") -> str:
    """A unified social credit code: spaces dropped, upper case, 18 characters of the code's
    alphabet whose last one is the check character of the others."""
    code = "".join(text_parse(value, field=field, max_length=64).split()).upper()
    if len(code) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in code):
        raise InvalidInput(
            _(
                "Enter the 18-character unified social credit code (digits and capital letters "
                "except I, O, S, V and Z)."
            ),
            field=field,
            code="invalid_taxpayer_id",
        )
    if check_character(code[:17]) != code[17]:
        raise InvalidInput(
            _("This unified social credit code has a wrong check character: check for a typo."),
            field=field,
            code="taxpayer_id_check_failed",
        )
    return code


def text_parse(value, *, field: str, max_length: int, required: bool = True) -> str:
    """Text from input: a string, surrounding space stripped, inner runs of space made one, no
    control characters (PostgreSQL refuses NUL), encodable, at most `max_length` long."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(_("Give this as text."), field=field, code="invalid")
    text = " ".join(value.split())
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(_("This text has invalid characters."), field=field) from None
    if any(ord(char) < 32 or ord(char) == 127 for char in text):
        raise InvalidInput(_("This text has invalid characters."), field=field)
    if required and not text:
        raise InvalidInput(_("This field is required."), field=field, code="required")
    if len(text) > max_length:
        raise InvalidInput(
            _("At most %(count)s characters.") % {"count": max_length},
            field=field,
            code="max_length",
        )
    return text


def phone_parse(value, *, field: str, required: bool = True) -> str:
    phone = text_parse(value, field=field, max_length=30, required=required)
    if phone and not PHONE.fullmatch(phone):
        raise InvalidInput(
            _("Enter a phone number: digits, with spaces, dashes or brackets."),
            field=field,
            code="invalid_phone",
        )
    return phone


def bank_account_parse(value, *, field: str = "bank_account") -> str:
    account = text_parse(value, field=field, max_length=40, required=False)
    if account and not BANK_ACCOUNT.fullmatch(account):
        raise InvalidInput(
            _("Enter the bank account number: digits, with spaces or dashes."),
            field=field,
            code="invalid_bank_account",
        )
    return account

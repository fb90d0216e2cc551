"""Template filters for amounts and quantities."""

from django import template

from common.money import format_cny, format_price

register = template.Library()


@register.filter
def cny(value) -> str:
    """¥1,234.56"""
    if value is None or value == "":
        return ""
    return format_cny(value)


@register.filter
def quantity(value) -> str:
    """1,234,567"""
    if value is None or value == "":
        return ""
    return f"{int(value):,}"


@register.filter
def price(value) -> str:
    """A unit price: 1.50, 0.10, 1.234567"""
    if value is None or value == "":
        return ""
    return format_price(value)

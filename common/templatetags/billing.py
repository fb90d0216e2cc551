"""Template filters for amounts and quantities."""

from django import template

from common.money import format_cny

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

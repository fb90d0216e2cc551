"""The texts of quote and order lines, rendered in the reader's language.

A line keeps what it says as data (`LineText`: a key of LINE_TEXTS and its arguments) beside the
text written when the order was placed, so that an order bought in one language reads in the
other on its page and receipt. Arguments that name a plan or an item carry its code (and the
stored name, for a code the vocabulary does not know) and are shown by their translated name.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext, gettext_noop

from packages.vocabulary import item_display_name, plan_display_name

LINE_TEXTS = {
    "plan_term": gettext_noop("%(plan)s, %(start)s → %(end)s"),
    "traffic_pack": gettext_noop("Traffic pack %(item)s %(capacity)s/day × %(days)s days"),
    "plan_upgrade": gettext_noop("Upgrade %(old)s → %(new)s, %(remaining)s of %(term)s days"),
    "renewal_upgrade": gettext_noop(
        "Upgrade of the renewal #%(id)s → %(plan)s, %(start)s → %(end)s"
    ),
    "renewal": gettext_noop("Renewal: %(plan)s, %(start)s → %(end)s"),
    "prepaid_card": gettext_noop("Prepaid card %(value)s"),
    "card_voucher": gettext_noop("Full-reduction voucher %(amount)s included"),
    "card_number": gettext_noop("Card %(number)s"),
    "grant": gettext_noop("Granted by an operator: %(reason)s"),
}

NAMERS = {"plan": plan_display_name, "item": item_display_name}


def plan_ref(plan) -> dict:
    return {"plan": plan.code, "name": plan.name}


def item_ref(item) -> dict:
    return {"item": item.code, "name": item.name}


def _shown(value) -> str:
    if isinstance(value, dict):
        for kind, namer in NAMERS.items():
            if kind in value:
                return namer(value[kind], value.get("name"))
    return str(value)


@dataclass(frozen=True)
class LineText:
    key: str
    args: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"key": self.key, "args": self.args}

    def render(self) -> str:
        return gettext(LINE_TEXTS[self.key]) % {
            name: _shown(value) for name, value in self.args.items()
        }


def line_text(key: str, **args) -> LineText:
    """A line's text; dates and numbers are passed already formatted (they read the same in
    both languages), plans and items as `plan_ref` / `item_ref`."""
    if key not in LINE_TEXTS:
        raise KeyError(key)
    return LineText(key, {name: _stored(value) for name, value in args.items()})


def _stored(value):
    return value if isinstance(value, dict | int) else str(value)


def line_text_render(stored: dict | None) -> str | None:
    """The stored text of an order line in the active language; None for a line written before
    lines kept their texts (or with an unknown key), which then shows as written."""
    if not stored or stored.get("key") not in LINE_TEXTS:
        return None
    try:
        return LineText(stored["key"], dict(stored.get("args") or {})).render()
    except (KeyError, TypeError, ValueError):
        return None

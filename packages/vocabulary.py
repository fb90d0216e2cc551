"""The catalog's names in the reader's language.

Plan and item names live in the database (admins may edit them), so `makemessages` never sees
them. The names the catalog was seeded with (packages/migrations/0002_seed_catalog.py) are
marked here, by code, and translated when shown: pages and e-mails call `item_display_name` /
`plan_display_name` (or the models' `display_name`). A name an operator changed since is shown
as stored, in every language: its translation is not known. The API answers the stored names.
"""

from django.utils.translation import gettext, gettext_noop

ITEM_NAMES = {
    "datakit": gettext_noop("DataKit hosts"),
    "logs": gettext_noop("Log records"),
    "backup_logs": gettext_noop("Backup log records"),
    "traces": gettext_noop("APM traces"),
    "rum_pv": gettext_noop("RUM page views"),
    "api_tests": gettext_noop("API dial tests"),
    "task_calls": gettext_noop("Task calls"),
    "sms": gettext_noop("SMS alerts"),
}

PLAN_NAMES = {
    "startup_acceleration": gettext_noop("Startup Acceleration Package"),
    "growth_development": gettext_noop("Growth Development Package"),
    "enterprise_standard": gettext_noop("Enterprise Standard Package"),
}


def _display(names: dict[str, str], code: str, stored: str | None) -> str:
    seeded = names.get(code)
    if seeded is None:
        return stored or code
    if stored and stored != seeded:  # renamed by an operator: shown as they wrote it
        return stored
    return gettext(seeded)


def item_display_name(code: str, stored: str | None = None) -> str:
    """The item's name in the active language; an unknown code is shown as its stored name,
    or as the code itself when there is none (an item that does not exist)."""
    return _display(ITEM_NAMES, code, stored)


def plan_display_name(code: str, stored: str | None = None) -> str:
    return _display(PLAN_NAMES, code, stored)

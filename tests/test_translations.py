"""The .po file is the only source of the translations (`make messages` refreshes it from the code
and the templates): every entry of it must be translated, and the catalog compiled from it (by
`pybabel compile`, which scripts/stack.py runs before the tests) must be the one Django reads."""

from pathlib import Path

from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def read_catalog():
    with PO.open("rb") as handle:
        return read_po(handle, locale="zh_Hans", abort_invalid=True)


def where(message) -> str:
    return " ".join(f"{path}:{line}" for path, line in message.locations[:2]) or "no reference"


def test_every_entry_of_the_chinese_catalog_is_translated():
    catalog = read_catalog()
    problems = []
    for message in catalog:
        if not message.id:  # the header entry
            continue
        # A plural entry's string is one form per plural (read_po fills a missing form with "").
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r} ({where(message)})")
        elif not all(forms):
            problems.append(f"untranslated: {message.id!r} ({where(message)})")
    assert not problems, (
        f"{len(problems)} entries of {PO.relative_to(settings.BASE_DIR)} need a translation "
        "(translate them and drop their `#, fuzzy` line):\n" + "\n".join(problems)
    )


def test_the_catalog_header_is_not_fuzzy():
    # pybabel compile skips a whole catalog whose header entry is marked fuzzy.
    assert not read_catalog().fuzzy, f'remove `#, fuzzy` above the header (msgid "") of {PO}'


def test_translations_keep_the_placeholders_of_their_messages():
    problems = [
        f"{message.id!r}: {'; '.join(str(error) for error in errors)}"
        for message, errors in read_catalog().check()
    ]
    assert not problems, "\n".join(problems)


def test_the_compiled_catalog_is_up_to_date():
    mo = PO.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= PO.stat().st_mtime, (
        f"{mo} is missing or older than the .po: run the tests through scripts/stack.py "
        "(make test), or `pybabel compile -d locale -D django`"
    )


def test_django_reads_the_compiled_chinese_catalog():
    assert "zh-hans" in dict(settings.LANGUAGES)
    with translation.override("zh-hans"):
        assert translation.gettext("Orders") == "订单"
        days_left = translation.ngettext("%(days)s day left", "%(days)s days left", 3)
        assert days_left % {"days": 3} == "剩余 3 天"
    with translation.override("en"):
        assert translation.gettext("Orders") == "Orders"


PYTHON_SOURCES = [
    "billing",
    "common",
    "invoices",
    "orders",
    "packages",
    "quota",
    "wallet",
    "workspaces",
]
GETTEXT_KEYWORDS = {"_": None, "gettext": None, "gettext_lazy": None, "ngettext": (1, 2)}


def test_every_marked_string_of_the_python_code_is_in_the_catalog():
    """A string marked with _() that nobody added to the .po (by `make messages`) would show in
    English on a Chinese page; Babel's extractor finds them without GNU gettext."""
    from babel.messages.extract import extract_from_dir

    known = {
        message.id if isinstance(message.id, str) else message.id[0] for message in read_catalog()
    }
    missing = []
    for package in PYTHON_SOURCES:
        root = Path(settings.BASE_DIR) / package
        for filename, lineno, message, _comments, _context in extract_from_dir(
            root,
            method_map=[("**/migrations/**.py", "ignore"), ("**.py", "python")],
            keywords=GETTEXT_KEYWORDS,
        ):
            text = message if isinstance(message, str) else message[0]
            if text and text not in known:
                missing.append(f"{package}/{filename}:{lineno} {text!r}")
    assert not missing, "not in the .po (run `make messages` and translate):\n" + "\n".join(missing)

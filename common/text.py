"""Names that customers type (accounts, workspaces): what they may contain.

Control and format characters are invisible and change how the text around them shows: a
right-to-left override (U+202E) makes "#12" after a name read "21#", zero-width characters make
two names that look the same differ. They are refused where a name is stored, by the service,
so that forms, the API and the commands answer the same 400 with the field.
"""

import unicodedata

from django.utils.translation import gettext as _

from common.exceptions import InvalidInput

# Cc: C0/C1 controls (tab, newline …); Cf: format characters, the bidirectional embeddings,
# overrides, isolates and marks among them (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F,
# U+061C), zero-width spaces and joiners, the byte-order mark; Zl/Zp: line and paragraph
# separators; Cs: lone surrogates (PostgreSQL cannot store them).
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def name_refused_characters(value: str) -> list[str]:
    """The characters of `value` a name may not contain, as U+XXXX, each once, in order."""
    refused: list[str] = []
    for character in value:
        if unicodedata.category(character) in REFUSED_CATEGORIES:
            code = f"U+{ord(character):04X}"
            if code not in refused:
                refused.append(code)
    return refused


def name_clean(value: str | None, *, field: str = "name") -> str:
    """A typed name, stripped; refuses control and format characters (InvalidInput on `field`,
    code `invalid_characters`). An empty or too long result is left to the caller, whose
    message names what needs the name."""
    name = (value or "").strip()
    refused = name_refused_characters(name)
    if refused:
        raise InvalidInput(
            _(
                "A name cannot contain invisible control or formatting characters "
                "(found %(characters)s)."
            )
            % {"characters": ", ".join(refused)},
            field=field,
            code="invalid_characters",
        )
    return name

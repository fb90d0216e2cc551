"""PDF receipts in tests: whether WeasyPrint can work here, and the text and fonts of a PDF."""

import io
import os
import subprocess

import pytest


def weasyprint_missing() -> str | None:
    """Why a PDF cannot be made here (None when it can): WeasyPrint's Pango, a CJK font."""
    try:
        import weasyprint  # noqa: F401
    except OSError as error:
        return (
            f"WeasyPrint's system libraries are missing ({error}): apt-get install libpango-1.0-0"
        )
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False)
    if not fonts.stdout.strip():
        return "no CJK font is installed (apt-get install fonts-noto-cjk)"
    return None


@pytest.fixture
def pdf_ready():
    """Skip where the system lacks what WeasyPrint needs; in CI that is a failure (.ci/run
    installs it)."""
    reason = weasyprint_missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: .ci/run installs them")
        pytest.skip(reason)


def pdf_text(content: bytes) -> tuple[str, set[str]]:
    """The text of a PDF and the names of its fonts."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    fonts = {
        str(font.get_object().get("/BaseFont", ""))
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    return text, fonts

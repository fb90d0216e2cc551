"""A receipt's HTML printed to PDF by WeasyPrint (Pango and a CJK font from the system).

WeasyPrint is imported on first use: a server without Pango still serves every page and the
printable receipt, and its PDF link answers a clear error page (`ReceiptPdfUnavailable`).
The document reads nothing from outside: its stylesheet is the site's receipt.css, read from
the static files, and a URL it names is not fetched.
"""

import logging
from pathlib import Path

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage

logger = logging.getLogger(__name__)

RECEIPT_CSS = "css/receipt.css"


class ReceiptPdfUnavailable(Exception):
    """The PDF could not be made (no Pango on this server, or the rendering failed)."""


def _stylesheet_text() -> str:
    found = finders.find(RECEIPT_CSS)
    if found:
        return Path(found).read_text(encoding="utf-8")
    with staticfiles_storage.open(RECEIPT_CSS) as stylesheet:  # collected, without the sources
        return stylesheet.read().decode("utf-8")


def receipt_pdf(html: str) -> bytes:
    """The PDF of a receipt page's HTML (A4, the page's own print styles)."""
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: Pango's libraries are missing
        logger.warning("PDF receipts unavailable: %s", error)
        raise ReceiptPdfUnavailable(str(error)) from error
    try:
        # data: URLs only: no file of the server, no request to anyone
        fetcher = weasyprint.URLFetcher(allowed_protocols=["data"])
        document = weasyprint.HTML(string=html, url_fetcher=fetcher, base_url="/")
        return document.write_pdf(stylesheets=[weasyprint.CSS(string=_stylesheet_text())])
    except Exception as error:  # any failure of the renderer is an error page, never a 500
        logger.exception("a receipt's PDF failed")
        raise ReceiptPdfUnavailable(str(error)) from error

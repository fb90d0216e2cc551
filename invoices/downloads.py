"""The issued invoice's PDF as a download (pages and API): never public media."""

from django.http import FileResponse

from invoices.models import InvoiceRequest


def invoice_pdf_response(invoice: InvoiceRequest) -> FileResponse:
    return FileResponse(
        invoice.pdf.open("rb"),
        as_attachment=True,
        filename=f"fapiao-{invoice.invoice_number}.pdf",
        content_type="application/pdf",
    )

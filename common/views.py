"""Error pages and the mapping of domain errors raised under a page view."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils.translation import gettext as _

from common.exceptions import ApplicationError, Forbidden, NotFound

# How long a client waits before it tries again when the database is gone (a restart or a
# failover takes seconds to a minute).
RETRY_AFTER_SECONDS = 30


def permission_denied(request, exception=None):
    message = getattr(exception, "message", None) or str(exception or "") or None
    return render(request, "403.html", {"message": message}, status=403)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse(
            {"errors": {"detail": ["Not found."]}, "codes": {"detail": ["not_found"]}}, status=404
        )
    return render(request, "404.html", status=404)


def is_database_lost(exception: BaseException | None) -> bool:
    """PostgreSQL restarting, a failover, a dropped connection (Django reconnects next time)."""
    return isinstance(exception, OperationalError | InterfaceError)


# Like 500.html, in both languages and without anything that could need the database.
UNAVAILABLE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Unavailable · Billing Center</title><link rel="stylesheet" href="{css}"></head>
<body><main class="page"><section class="card narrow error-page">
<p class="error-code">503</p><h1>Back in a moment · 服务暂时不可用</h1>
<p>The Billing Center cannot reach its database. Please try again in {seconds} seconds.</p>
<p>费用中心暂时无法连接数据库，请 {seconds} 秒后重试。</p>
<a class="btn" href="/">Back to the Billing Center</a></section></main></body></html>
"""


def service_unavailable(request):
    """503 with Retry-After: the API's error shape (code `service_unavailable`) or a plain page."""
    if _is_api(request):
        response = JsonResponse(
            {
                "errors": {
                    "detail": [
                        _("The service is unavailable for a moment; try again in %(seconds)s s.")
                        % {"seconds": RETRY_AFTER_SECONDS}
                    ]
                },
                "codes": {"detail": ["service_unavailable"]},
            },
            status=503,
        )
    else:
        response = HttpResponse(
            UNAVAILABLE_PAGE.format(css=static("css/app.css"), seconds=RETRY_AFTER_SECONDS),
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request):
    # A lost database outside a view (a middleware saving the session) is no 500 either.
    if is_database_lost(sys.exc_info()[1]):
        return service_unavailable(request)
    if _is_api(request):
        return JsonResponse(
            {
                "errors": {"detail": ["Server error; it has been logged."]},
                "codes": {"detail": ["server_error"]},
            },
            status=500,
        )
    # No context processors: the failure may be the database they would query.
    return HttpResponseServerError(loader.get_template("500.html").render({}))


class ApplicationErrorMiddleware:
    """A NotFound or Forbidden raised by a service under a page becomes the 404 or 403 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFound):
            return page_not_found(request, exception)
        if isinstance(exception, Forbidden):
            return permission_denied(request, exception)
        if isinstance(exception, ApplicationError):
            return render(
                request, "400.html", {"message": exception.message}, status=exception.status_code
            )
        return None

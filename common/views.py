"""Error pages and the mapping of domain errors raised under a page view."""

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader

from common.exceptions import ApplicationError, Forbidden, NotFound


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


def server_error(request):
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

"""A lost database answers 503 with Retry-After, not 500: the request was fine, the moment not.

PostgreSQL restarting, a failover or a dropped connection surface as Django's OperationalError
or InterfaceError (Django reconnects on the next request). The API answers its error shape with
the code `service_unavailable`, pages a plain page that needs neither the database nor a
context processor; both say when to retry. Other database errors (a DataError, an
IntegrityError) stay 500s: they are bugs, not the weather.
"""

import logging

from common.views import is_database_lost, service_unavailable

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """Turns a lost database under a view (API or page) into 503 with Retry-After."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_lost(exception):
            return None
        # The 503 itself is logged at error level by Django (django.request); this says why.
        logger.warning(
            "Database unavailable: %s %s", request.method, request.path, exc_info=exception
        )
        return service_unavailable(request)

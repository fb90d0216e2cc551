"""The sign-in throttles of the token API (workspaces.signin) for the login page and the admin
login, whose views are Django's: a POST over the rate answers the 429 page, unchecked."""

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from workspaces.signin import signin_throttles
from workspaces.views import signin_refused


class SignInThrottleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._paths: set[str] | None = None

    def signin_paths(self) -> set[str]:
        if self._paths is None:
            self._paths = {reverse("login"), reverse("admin:login")}
        return self._paths

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path in self.signin_paths():
            for throttle in signin_throttles():
                if not throttle.allow_request(request, None):
                    wait = timedelta(seconds=throttle.wait() or 60)
                    return signin_refused(request, until=timezone.now() + wait, locked=False)
        return self.get_response(request)

"""The sign-in throttles of the token API (workspaces.signin) for the login page and the admin
login, whose views are Django's: a POST over the rate answers the 429 page, unchecked. And the
new password that a temporary one asks for."""

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from common.views import is_database_lost
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


class PasswordChangeRequiredMiddleware:
    """A user who signed in with a temporary password (made for them on the team page) sees the
    page that sets their own before any other; the API refuses them a token meanwhile."""

    ALLOWED_PREFIXES = ("/api/", "/static/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            must_change = self.must_change_password(request)
        except Exception as error:
            if not is_database_lost(error):
                raise
            must_change = False  # the view meets the lost database too, and answers 503
        if must_change:
            return redirect("password-change")
        return self.get_response(request)

    def must_change_password(self, request: HttpRequest) -> bool:
        if request.path.startswith(self.ALLOWED_PREFIXES) or request.path in (
            reverse("password-change"),
            reverse("logout"),
        ):
            return False
        user = getattr(request, "user", None)
        return bool(
            user is not None
            and user.is_authenticated
            and getattr(user, "password_change_required", False)
        )

"""Sign-in plumbing: the client's address, the throttles, the lockout's end, token authentication.

django-axes locks a (username, address) pair out after failed passwords (settings AXES_*); the
throttles here bound how often one address, or one username, may try at all, on the token API,
the login page and the admin login together (docs/decisions.md, "Sign-in").
"""

import hashlib
import ipaddress
import logging
import math
import re
from collections.abc import Mapping
from datetime import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from redis.exceptions import RedisError
from rest_framework import exceptions
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)


def _address(value: str) -> str | None:
    """A normalised IP address, or None for anything else ("1.2.3.4:5678" keeps the host)."""
    value = value.strip()
    if value.count(":") == 1:  # IPv4 with a port (IPv6 has more colons)
        value = value.split(":")[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address (AXES_CLIENT_IP_CALLABLE, and the throttles). Behind
    TRUSTED_PROXY_COUNT proxies, the X-Forwarded-For entry the nearest of them wrote: a client
    can put anything to the left of it, never there. Else the connection's REMOTE_ADDR."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = forwarded.split(",")
        if address := _address(hops[-min(proxies, len(hops))]):
            return address
    return _address(request.META.get("REMOTE_ADDR") or "")


def submitted_username(request) -> str | None:
    """The username of a sign-in POST: from DRF's parsed body (the token API), or the form."""
    data = request.data if hasattr(request, "data") else request.POST
    username = data.get("username") if isinstance(data, Mapping) else None
    return username if isinstance(username, str) and username else None


# What django-axes records of a username: a login form passes any length to authenticate()
# (AuthenticationForm sets its max_length after the validators are built); axes keeps 255.
USERNAME_MAX_LENGTH = 150


def lockout_username(request, credentials: dict | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the submitted username, cut to the longest a user can have."""
    username = credentials.get("username") if credentials else submitted_username(request)
    return username[:USERNAME_MAX_LENGTH] if isinstance(username, str) else None


class SignInThrottle(SimpleRateThrottle):
    """A throttle of sign-in attempts in the shared cache. A Redis that does not answer lets
    the attempt through: the lockout, in the database, still counts wrong passwords."""

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except RedisError:
            logger.warning("Sign-in throttle skipped: the cache is unavailable", exc_info=True)
            return True


class SignInAddressThrottle(SignInThrottle):
    """Attempts from one address, whatever the usernames (password spraying)."""

    scope = "signin_ip"

    def get_cache_key(self, request, view) -> str | None:
        address = client_ip(request)
        return self.cache_format % {"scope": self.scope, "ident": address} if address else None


class SignInUsernameThrottle(SignInThrottle):
    """Attempts at one username, from whatever addresses."""

    scope = "signin_username"

    def get_cache_key(self, request, view) -> str | None:
        username = submitted_username(request)
        if username is None:
            return None
        ident = hashlib.sha256(username.casefold().encode("utf-8", "replace")).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


def signin_throttles() -> list[SignInThrottle]:
    return [SignInAddressThrottle(), SignInUsernameThrottle()]


def lockout_ends_at(request, *, username: str | None, now: datetime) -> datetime:
    """When the lockout of (username, the client's address) ends: the cool-off after its last
    counted failure (attempts made while locked out do not count,
    AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT)."""
    cool_off = settings.AXES_COOLOFF_TIME
    latest = AccessAttempt.objects.filter(
        username=username, ip_address=client_ip(request), attempt_time__gte=now - cool_off
    ).aggregate(latest=Max("attempt_time"))["latest"]
    return (latest or now) + cool_off


def seconds_until(moment: datetime, *, now: datetime) -> int:
    """Whole seconds from now until moment, at least 1 (a Retry-After)."""
    return max(1, math.ceil((moment - now).total_seconds()))


def locked_out_message(*, seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    return ngettext(
        "Too many wrong passwords for this username from your address: signing in is paused. "
        "Try again in %(minutes)s minute.",
        "Too many wrong passwords for this username from your address: signing in is paused. "
        "Try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}


def throttled_message(*, seconds: int) -> str:
    return ngettext(
        "Too many sign-in attempts in a short time. Try again in %(seconds)s second.",
        "Too many sign-in attempts in a short time. Try again in %(seconds)s seconds.",
        seconds,
    ) % {"seconds": seconds}


# knox's tokens and DRF's old keys are hex; nothing else can match a digest.
TOKEN_FORMAT = re.compile(r"[0-9A-Za-z_-]{1,200}")


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's token authentication (`Authorization: Token <token>`, expiry renewed on use),
    answering 401 for a token that is not text or holds a NUL byte, where knox fails with a
    UnicodeDecodeError or a database error (500)."""

    def authenticate_credentials(self, token: bytes):
        if not TOKEN_FORMAT.fullmatch(token.decode("latin-1")):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return super().authenticate_credentials(token)

    def _cleanup_token(self, auth_token) -> bool:
        """Whether this token has expired (then it goes). knox also loads every other token of
        the user on each request to delete the expired ones: api_token_create does at login."""
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


class TokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI security scheme of TokenAuthentication: the same `tokenAuth` as before knox."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=self.target.authenticate_header(None)
        )

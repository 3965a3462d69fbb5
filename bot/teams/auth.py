"""Who may call `/api/messages`, decided from the headers alone, before the body is read.

With an app id the bearer token is validated by botbuilder's own validators (signature against
the OpenID signing keys, issuer, audience, expiry) through the same BotFrameworkAuthentication
the CloudAdapter uses; CloudAdapter checks it again with the activity (the `serviceurl` claim
and the channel's endorsement) once the body is parsed. botbuilder fetches the signing keys with
blocking `requests` calls and no timeout, so validation runs on a small pool of its own threads
with a deadline: a slow key endpoint costs 401s, never a stalled event loop.

In emulator mode (no app id) there is nothing to validate a token against: only direct
loopback callers without a token are served, and forwarded requests (a reverse proxy or tunnel
on the same host) are refused.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web
from botbuilder.schema import Activity
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
)

log = logging.getLogger(__name__)
# Headers a reverse proxy, load balancer or tunnel adds; a direct local client sends none.
FORWARDING_HEADERS = (
    "Forwarded",
    "X-Forwarded-For",
    "X-Forwarded-Host",
    "X-Forwarded-Proto",
    "X-Real-IP",
    "X-Client-IP",
    "True-Client-IP",
    "CF-Connecting-IP",
    "Via",
)
_MAX_HEADER = 16_384


class Refused(Exception):
    """The caller is not let in; `status` is 401 or 403, the message goes to the log.
    `ops`: a problem on our side (a proxy in front of emulator mode, keys unreachable) that
    an operator should see, rather than one more bad token from the internet."""

    def __init__(self, status: int, reason: str, *, ops: bool = False) -> None:
        super().__init__(reason)
        self.status = status
        self.ops = ops


class InboundAuth:
    """The header checks for one mode; `check` raises Refused or returns."""

    def __init__(self, auth: BotFrameworkAuthentication, *, app_id: str, timeout_s: float) -> None:
        self._auth = auth
        self._app_id = app_id
        self._timeout_s = timeout_s
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="teams-auth")

    async def check(self, request: web.Request) -> None:
        """Raise Refused unless the headers alone let this caller in (the body is unread)."""
        if not self._app_id:
            check_emulator_caller(request)
            return
        header = request.headers.get("Authorization", "")
        if not header:
            raise Refused(401, "no Authorization header")
        if len(header) > _MAX_HEADER:
            raise Refused(401, "Authorization header too long")
        claims = (await self._in_pool(Activity(), header)).claims_identity.claims or {}
        if claims.get(AuthenticationConstants.AUDIENCE_CLAIM) != self._app_id:
            # Emulator-style tokens are checked by `appid` only: one our own bot sent to the
            # connector (audience api.botframework.com) must not come back in as a caller.
            raise Refused(401, "token audience is not this bot's app id")
        if "exp" not in claims:  # PyJWT checks `exp` only when present
            raise Refused(401, "token has no expiry")

    async def authenticate(
        self, activity: Activity, headers: Mapping[str, str]
    ) -> AuthenticateRequestResult:
        """botbuilder's full check, now with the activity: the token's `serviceurl` claim must
        match the activity's, and the signing key must endorse its channel."""
        if not self._app_id:
            return await self._auth.authenticate_request(Activity(), None)  # anonymous
        return await self._in_pool(activity, headers.get("Authorization", ""))

    async def _in_pool(self, activity: Activity, header: str) -> AuthenticateRequestResult:
        loop = asyncio.get_running_loop()
        validation = loop.run_in_executor(self._pool, _validate, self._auth, activity, header)
        try:
            return await asyncio.wait_for(validation, self._timeout_s)
        except TimeoutError as exc:
            raise Refused(401, "token not checked in time (signing keys slow?)", ops=True) from exc
        except Exception as exc:  # the SDK raises PermissionError, jwt errors, KeyError…
            if isinstance(exc, OSError) and not isinstance(exc, PermissionError):
                # requests' errors are OSErrors: the signing keys could not be fetched
                reason = f"signing keys unreachable ({type(exc).__name__})"
                raise Refused(401, reason, ops=True) from exc
            detail = " ".join(str(exc).split())[:200]  # one line, however the claims look
            raise Refused(401, f"invalid token ({type(exc).__name__}: {detail})") from exc

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _validate(
    auth: BotFrameworkAuthentication, activity: Activity, header: str
) -> AuthenticateRequestResult:
    """On a pool thread, with its own event loop (the SDK's key fetch blocks). An empty
    activity validates the token alone: no serviceUrl or channel to match yet."""
    return asyncio.run(auth.authenticate_request(activity, header))


def check_emulator_caller(request: web.Request) -> None:
    """Emulator mode serves a developer's own machine: direct loopback callers, no token."""
    forwarded = [name for name in FORWARDING_HEADERS if name in request.headers]
    if forwarded:
        raise Refused(
            403,
            f"emulator mode (no MicrosoftAppId) is for local development; a forwarded request "
            f"({', '.join(forwarded)}) is refused. Set MicrosoftAppId to serve Teams behind "
            "a proxy or tunnel",
            ops=True,
        )
    if not _loopback(request.remote):
        raise Refused(401, "emulator mode serves loopback callers only")
    if "Authorization" in request.headers:
        raise Refused(
            401, "emulator mode has no MicrosoftAppId to check a token against; send none", ops=True
        )


def _loopback(remote: str | None) -> bool:
    try:
        return ipaddress.ip_address((remote or "").split("%")[0]).is_loopback
    except ValueError:
        return False

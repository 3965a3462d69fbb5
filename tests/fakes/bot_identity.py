"""A loopback stand-in for the Bot Framework's token signing keys: the OpenID metadata and JWKS
documents botbuilder fetches, and tokens signed with the matching test keys.

Two issuers, as in production: channel tokens (`iss` https://api.botframework.com, keys behind
`…/v1/.well-known/openidconfiguration`) and Emulator-style Entra tokens (`iss` a Bot Framework
tenant on sts.windows.net, keys behind `…/common/v2.0/.well-known/openid-configuration`).
It serves from its own thread: botbuilder fetches keys with blocking `requests` calls.
"""

from __future__ import annotations

import json
import threading
import time
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CHANNEL_ISSUER = "https://api.botframework.com"
EMULATOR_ISSUER = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"
CHANNEL_METADATA = "/v1/.well-known/openidconfiguration"
EMULATOR_METADATA = "/common/v2.0/.well-known/openid-configuration"


@cache
def signing_key(name: str) -> rsa.RSAPrivateKey:
    """One key per name for the whole test session: botbuilder caches keys by metadata URL,
    and a later server on a reused port must not meet stale keys of another value."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeBotIdentity:
    def __init__(self, *, endorsements: tuple[str, ...] = ("msteams", "emulator", "webchat")):
        self.endorsements = list(endorsements)
        self.hits: list[str] = []
        self.stall_s = 0.0  # how long each key request waits before it is answered
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeBotIdentity:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def channel_metadata_url(self) -> str:
        return self.url + CHANNEL_METADATA

    @property
    def emulator_metadata_url(self) -> str:
        return self.url + EMULATOR_METADATA

    def channel_token(self, app_id: str, service_url: str, **overrides: Any) -> str:
        """A Bot Framework channel token as Teams sends it; `overrides` replace claims
        (None deletes one) and may set `_key`, `_kid`, `_alg` for forgeries."""
        claims = {"iss": CHANNEL_ISSUER, "aud": app_id, "serviceurl": service_url}
        return self._sign(claims, "channel", overrides)

    def emulator_token(self, app_id: str, **overrides: Any) -> str:
        """An Entra token the Bot Framework Emulator gets with the bot's own credentials."""
        claims = {"iss": EMULATOR_ISSUER, "aud": app_id, "appid": app_id, "ver": "1.0"}
        return self._sign(claims, "emulator", overrides)

    def _sign(self, claims: dict[str, Any], name: str, overrides: dict[str, Any]) -> str:
        now = int(time.time())
        claims |= {"nbf": now - 60, "iat": now - 60, "exp": now + 3600}
        key = overrides.pop("_key", None) or signing_key(name)
        headers = {"kid": overrides.pop("_kid", name)}
        algorithm = overrides.pop("_alg", "RS256")
        if algorithm == "none":
            key = None  # an unsigned token
        for claim, value in overrides.items():
            if value is None:
                claims.pop(claim, None)
            else:
                claims[claim] = value
        return jwt.encode(claims, key, algorithm=algorithm, headers=headers)

    def _documents(self) -> dict[str, dict[str, Any]]:
        def jwks(name: str) -> dict[str, Any]:
            jwk = json.loads(RSAAlgorithm.to_jwk(signing_key(name).public_key()))
            return {"keys": [jwk | {"kid": name, "use": "sig", "endorsements": self.endorsements}]}

        return {
            CHANNEL_METADATA: {"issuer": CHANNEL_ISSUER, "jwks_uri": f"{self.url}/v1/keys"},
            "/v1/keys": jwks("channel"),
            EMULATOR_METADATA: {"issuer": EMULATOR_ISSUER, "jwks_uri": f"{self.url}/v2/keys"},
            "/v2/keys": jwks("emulator"),
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        identity = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                identity.hits.append(self.path)
                time.sleep(identity.stall_s)
                document = identity._documents().get(self.path)
                body = json.dumps(document or {"error": "not found"}).encode()
                self.send_response(200 if document else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: Any) -> None:
                pass

        return Handler

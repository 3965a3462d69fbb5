"""Secrets at rest (Slack installation tokens): sealed with Fernet when keys are configured.

Keys come from `ADVISOR_SECRET_KEYS` (comma-separated, newest first): the first seals, all of
them open, so a key can be rotated without losing installations. Without keys values are
stored as they are, marked so that adding a key later still reads them.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

_SEALED, _PLAIN = "fernet:", "plain:"


class SealedValueError(RuntimeError):
    """A stored value cannot be opened with the configured keys (the message says why)."""


def new_key() -> str:
    """A fresh key for `ADVISOR_SECRET_KEYS`."""
    return Fernet.generate_key().decode("ascii")


class Sealer:
    def __init__(self, keys: Sequence[str] = ()) -> None:
        try:
            fernets = [Fernet(key.strip().encode("ascii")) for key in keys if key.strip()]
        except (ValueError, UnicodeEncodeError) as exc:
            raise ValueError(
                "ADVISOR_SECRET_KEYS must hold Fernet keys (32 url-safe base64 bytes each); "
                "make one with `advisor slack keygen`"
            ) from exc
        self._fernet = MultiFernet(fernets) if fernets else None

    def seal(self, text: str) -> str:
        if self._fernet is None:
            return _PLAIN + text
        return _SEALED + self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def open(self, stored: str) -> str:
        if stored.startswith(_PLAIN):
            return stored[len(_PLAIN) :]
        if not stored.startswith(_SEALED):
            raise SealedValueError("stored value has an unknown format")
        if self._fernet is None:
            raise SealedValueError("value is sealed but ADVISOR_SECRET_KEYS is not set")
        try:
            return self._fernet.decrypt(stored[len(_SEALED) :].encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise SealedValueError("sealed with a key not in ADVISOR_SECRET_KEYS") from exc

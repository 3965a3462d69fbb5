"""Whose data a read may return: one rule for every store.

A caller mapped to a client sees that client's rows. A caller mapped to no client sees the
public field report and nothing else: not any client's rows, and not the rows of other
unmapped callers either (each of them is another company). Only the operator's own tools
(`advisor audit export`, `digest status`) read across clients, and they say so by building
`DataScope.operator()`; no channel request ever does.

Every store read that can return tenant data takes a `DataScope` as a required argument, so
"no tenant" can never be mistaken for "all tenants".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, false, true

from knowledge.chunks import PUBLIC_TENANT


@dataclass(frozen=True, slots=True)
class DataScope:
    """Build with `DataScope.of(tenant)` (a caller) or `DataScope.operator()`."""

    tenant: str | None
    everything: bool = False

    @classmethod
    def of(cls, tenant: str | None) -> DataScope:
        """A caller's scope: its client, or (None) the public field report only."""
        if tenant is not None and (not isinstance(tenant, str) or not tenant):
            raise TypeError(f"a tenant is a non-empty name, not {tenant!r}")
        return cls(tenant=tenant)

    @classmethod
    def public(cls) -> DataScope:
        return cls(tenant=None)

    @classmethod
    def operator(cls) -> DataScope:
        """Every client's rows: for the operator's own tools only, never a channel request."""
        return cls(tenant=None, everything=True)

    @property
    def is_public(self) -> bool:
        return self.tenant is None and not self.everything

    def rows(self, column: Any) -> ColumnElement[bool]:
        """The SQL condition on a `tenant` column: the rows of this scope's client only."""
        if self.everything:
            return true()
        if self.tenant is None:
            return false()
        return column == self.tenant

    def sees(self, tenant: str | None) -> bool:
        """Whether a row or chunk owned by `tenant` (None: an unmapped caller's) is visible."""
        if self.everything:
            return True
        if tenant == PUBLIC_TENANT:
            return True
        return self.tenant is not None and tenant == self.tenant

    def __str__(self) -> str:
        if self.everything:
            return "all clients (operator)"
        return self.tenant or "no client (field report only)"


def require_scope(scope: object) -> DataScope:
    """`scope` itself, or a TypeError: a read never guesses whose data it may return."""
    if not isinstance(scope, DataScope):
        raise TypeError(
            f"expected a DataScope (DataScope.of(tenant) or DataScope.operator()), got {scope!r}"
        )
    return scope

"""Participants (enterprises, exchanges, auditors, registrars) and their API keys."""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from dataledger.registry.chain_types import require_address
from dataledger.registry.errors import NotAuthorised, ValidationFailed


class Role(enum.StrEnum):
    ENTERPRISE = "enterprise"
    EXCHANGE = "exchange"
    AUDITOR = "auditor"
    REGISTRAR = "registrar"
    AUTHORITY = "authority"  # a programme authority: issues data vouchers (registry.market.vouchers)
    ADMIN = "admin"


_API_KEY_PREFIX = "dlk_"


def new_api_key() -> str:
    """A fresh API key (256 bits of randomness); only its hash is stored."""
    return _API_KEY_PREFIX + secrets.token_urlsafe(32)


def api_key_hash(api_key: str) -> str:
    # Keys are long random tokens, so a plain SHA-256 is enough (no password stretching needed).
    return "0x" + hashlib.sha256(api_key.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Participant:
    id: str
    name: str
    role: Role
    address: str | None
    created_at: datetime

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValidationFailed("a participant needs a name", field="name")
        if self.address is not None:
            require_address(self.address, "address")

    def require_role(self, *roles: Role) -> None:
        if self.role not in roles and self.role is not Role.ADMIN:
            allowed = " or ".join(r.value for r in roles)
            raise NotAuthorised(f"this action needs the {allowed} role", role=self.role.value)

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role.value,
            "address": self.address,
            "createdAt": self.created_at.isoformat(),
        }

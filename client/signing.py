"""Check a prepared EIP-712 message before signing it: a signer signs only what its caller asked for.

The server prepares every act (it knows nonces, deadlines and the chain's time), so a compromised or
buggy server could hand out a message that transfers the wrong asset. Before any signature, the SDK
checks the message's primary type, its type definition (as the contracts hash it), the contract's
EIP-712 domain name, and every field the caller determined (asset, counterparty, the salted hashes
of texts, recomputed here).
"""

from __future__ import annotations

from typing import Any

from dataledger.client.errors import UnexpectedMessage
from dataledger.registry.holder_signatures import (
    ACT_TYPES,
    LICENCE_DOMAIN_NAME,
    REGISTRATION_TYPES,
    REGISTRY_DOMAIN_NAME,
)
from dataledger.registry.market.trades import TRADES_DOMAIN_NAME
from dataledger.registry.market.vouchers import VOUCHERS_DOMAIN_NAME

# The primary types the LicenceRegistry's domain signs (consents, and a subject's listing of them, are
# the licence registry's); every other one is the DataRightsRegistry's (a pledgee's ListingConsent too).
LICENCE_REGISTRY_TYPES = frozenset(
    {
        "Licence",
        "LicenceUse",
        "LicenceRevocation",
        "Consent",
        "ConsentUse",
        "ConsentWithdrawal",
        "ConsentListing",
    }
)


# The primary types the DataTrades contract's domain signs (orders, acceptances, mandates, revocations).
TRADES_TYPES = frozenset({"TradeOrder", "TradeAcceptance", "TradeMandate", "TradeMandateRevocation"})
# The primary types the DataVouchers contract's domain signs (a registrar's registration fee too).
VOUCHERS_TYPES = frozenset({"VoucherProgramme", "VoucherIssue", "VoucherRedemption", "RegistrationFee"})


def _fields(primary_type: str) -> list[dict[str, str]]:
    if primary_type == "Registration":
        return REGISTRATION_TYPES["Registration"]
    return [{"name": name, "type": kind} for name, kind in ACT_TYPES[primary_type]]


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return bool(expected) == bool(actual) and type(expected) is type(actual)
    if isinstance(expected, int):
        try:
            return int(actual) == expected
        except (TypeError, ValueError):
            return False
    return str(expected).lower() == str(actual).lower()


def checked(typed_data: dict[str, Any], primary_type: str, expected: dict[str, Any]) -> dict[str, Any]:
    """``typed_data`` if it is the ``primary_type`` message with the ``expected`` fields; else raises."""
    if typed_data.get("primaryType") != primary_type:
        raise UnexpectedMessage(
            f"asked to sign {primary_type}, the server prepared {typed_data.get('primaryType')}"
        )
    if typed_data.get("types", {}).get(primary_type) != _fields(primary_type):
        raise UnexpectedMessage(f"the prepared {primary_type} is not the type the contracts hash")
    domain = typed_data.get("domain", {})
    contract = LICENCE_DOMAIN_NAME if primary_type in LICENCE_REGISTRY_TYPES else REGISTRY_DOMAIN_NAME
    if primary_type in TRADES_TYPES:
        contract = TRADES_DOMAIN_NAME
    if primary_type in VOUCHERS_TYPES:
        contract = VOUCHERS_DOMAIN_NAME
    if domain.get("name") != contract:
        raise UnexpectedMessage(f"the message is for {domain.get('name')!r}, not {contract!r}")
    message = typed_data.get("message", {})
    for name, value in expected.items():
        if not _same(value, message.get(name)):
            raise UnexpectedMessage(f"{primary_type}.{name} is {message.get(name)!r}, expected {value!r}")
    return typed_data

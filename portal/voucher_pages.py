"""Data vouchers as their two readers see them, as data for their pages' scripts:

- a programme authority: each of its programmes with its budget, what it issued and had redeemed (as the
  chain counts them), and the spend by enterprise and purpose (trade, registration fee);
- an enterprise: its balance in each programme that issued it vouchers, and its issues and redemptions.

Each reader is the participant whose API key signed the request in; nobody sees another's. Amounts stay
in the smallest currency unit; the page's script writes them for its reader.
"""

from __future__ import annotations

from typing import Any

from dataledger.portal.ports import PortalServices
from dataledger.registry.participants import Participant, Role

MAX_PROGRAMMES = 50
RECENT_MOVEMENTS = 50


def authority_data(services: PortalServices, authority: Participant) -> dict[str, Any]:
    """The programmes of ``authority`` (a programme authority; anyone else is refused), newest first."""
    authority.require_role(Role.AUTHORITY)
    programmes = [
        services.vouchers.spend(authority, programme_id)
        for programme_id in services.voucher_store.programme_ids_of_authority(authority.id)[:MAX_PROGRAMMES]
    ]
    names = services.participants.names(
        [e["enterprise"]["id"] for p in programmes for e in p["enterprises"] if e["enterprise"]["id"]]
    )
    for programme in programmes:
        for entry in programme["enterprises"]:
            entry["enterprise"]["name"] = names.get(entry["enterprise"]["id"] or "", "")
    return {"participant": _who(authority), "programmes": programmes}


def enterprise_data(services: PortalServices, enterprise: Participant) -> dict[str, Any]:
    """The vouchers of ``enterprise`` (an enterprise; anyone else is refused): its balance in each
    programme, and its latest issues and redemptions."""
    enterprise.require_role(Role.ENTERPRISE)
    if enterprise.address is None:  # without a chain key an enterprise is issued no vouchers
        return {"participant": _who(enterprise), "holdings": [], "movements": []}
    holdings = services.voucher_store.holdings_of(enterprise.address)
    for holding in holdings:
        holding["balance"] = holding["issued"] - holding["redeemed"]
        holding["byPurpose"] = [
            {"purpose": purpose, "value": value} for purpose, value in sorted(holding["byPurpose"].items())
        ]
    names = {h["programmeId"]: h["name"] for h in holdings}
    currencies = {h["programmeId"]: h["currency"] for h in holdings}
    movements = [
        {
            **movement.as_json(),
            "programmeName": names.get(movement.programme_id, ""),
            "currency": currencies.get(movement.programme_id, ""),
        }
        for movement in services.voucher_store.movements_of(enterprise.address, limit=RECENT_MOVEMENTS)
    ]
    return {"participant": _who(enterprise), "holdings": holdings, "movements": movements}


def _who(participant: Participant) -> dict[str, Any]:
    return {"id": participant.id, "name": participant.name, "address": participant.address}

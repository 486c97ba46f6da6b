"""Who may read what: a record's parties, the registrar and auditors see it whole; nobody else does.

An asset's facts are published on chain only as a salted commitment (``metadataHash``); handing its
facts and salt to anyone would undo that. So others see what public notice needs: the asset's name,
holder, the right claimed, its status and its hashes. Licences are seen by their licensor and
licensee only, besides the oversight roles; to anyone else a licence does not exist (404, not 403, so
its existence is not disclosed either).
"""

from __future__ import annotations

from typing import Any

from dataledger.registry.assets import AssetRecord
from dataledger.registry.participants import Participant, Role

OVERSIGHT = frozenset({Role.REGISTRAR, Role.AUDITOR, Role.ADMIN})


def oversees(viewer: Participant) -> bool:
    """Registrars, auditors and administrators see every record whole."""
    return viewer.role in OVERSIGHT


def is_party(viewer: Participant, *addresses: str | None) -> bool:
    """Whether ``viewer`` signs with one of ``addresses``."""
    own = viewer.address.lower() if viewer.address else None
    return own is not None and own in {address.lower() for address in addresses if address}


def sees_asset_whole(viewer: Participant, record: AssetRecord) -> bool:
    return oversees(viewer) or viewer.id == record.holder_id or is_party(viewer, record.holder_address)


def asset_view(viewer: Participant, record: AssetRecord) -> dict[str, Any]:
    """The asset as ``viewer`` may see it: whole for its holder and oversight, else its public view."""
    return record.as_json() if sees_asset_whole(viewer, record) else public_asset_view(record)


def public_asset_view(record: AssetRecord) -> dict[str, Any]:
    """What public notice needs, and nothing the chain holds only as a salted commitment."""
    return {
        "assetId": record.asset_id,
        "registrationNumber": record.registration_number,
        "holderId": record.holder_id,
        "holderAddress": record.holder_address,
        "name": record.facts.name,
        "rightClaimed": record.facts.right_claimed.value,
        "contentHash": record.facts.content_hash,
        "metadataHash": record.metadata_hash,
        "state": record.state.value,
        "chainEvidence": record.evidence.as_json() if record.evidence else None,
        "revocationReason": record.revocation_reason,
        "view": "public",
    }


def sees_licence(viewer: Participant, licence: dict[str, Any]) -> bool:
    return oversees(viewer) or is_party(
        viewer, licence.get("licensorAddress"), licence.get("licenseeAddress")
    )


def history_view(
    viewer: Participant, record: AssetRecord, items: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """An asset's acts: each with its detail (licence terms, purposes, reasons) for those who see the
    asset whole; for everyone else who acted, when, and where on chain, but not the detail."""
    if sees_asset_whole(viewer, record):
        return items
    return public_history_view(items)


def public_history_view(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An asset's acts as anyone may see them: who acted, when, and where on chain; never the detail."""
    return [{**item, "detail": {}} for item in items]


def pledge_view(viewer: Participant, pledge: dict[str, Any]) -> dict[str, Any]:
    """A pledge whole for its pledgor and pledgee and oversight; for others without its terms (the chain
    holds only their salted hash)."""
    if oversees(viewer) or is_party(viewer, pledge.get("pledgorAddress"), pledge.get("pledgeeAddress")):
        return pledge
    return public_pledge_view(pledge)


def public_pledge_view(pledge: dict[str, Any]) -> dict[str, Any]:
    """A pledge as anyone may see it: its parties, status, what it secures (the chain states it in
    clear) and evidence, never the texts of its terms and valuations (the chain holds their salted
    hashes)."""
    view = {key: value for key, value in pledge.items() if key not in ("terms", "valuation")}
    if "valuations" in view:
        view["valuations"] = [
            {key: value for key, value in item.items() if key != "valuation"} for item in view["valuations"]
        ]
    return view

"""Pledges with what they secure, their valuations and certificates, in memory (the ``PledgeRecords``
port), beside the assets of a :class:`FakeRegistryStore`."""

from __future__ import annotations

from typing import Any

from dataledger.registry.errors import AssetNotPledged, CertificateNotFound
from dataledger.registry.numbering import PledgeCertificateNumber
from tests.registry.fake_chain import Acts
from tests.registry.fake_stores import FakeRegistryStore, _act_of, _evidence_json


class FakePledgeRecords:
    def __init__(self, store: FakeRegistryStore) -> None:
        self._store = store
        self._pledges: list[dict[str, Any]] = []
        self._certificates: dict[str, dict[str, Any]] = {}
        self._serials: dict[str, int] = {}

    def add_pledge(
        self,
        asset_id: str,
        *,
        pledgor_address: str,
        pledgee_id: str | None,
        terms: str,
        salt: str,
        valuation: str,
        valuation_salt: str,
        acts: Acts,
    ) -> dict[str, Any]:
        pledged = _act_of(acts, "AssetPledged")
        args = pledged.args
        valuation_entry = {
            "valuation": valuation,
            "valuationHash": args["valuationHash"],
            "chainEvidence": _evidence_json(pledged),
        }
        pledge = {
            "assetId": asset_id,
            "pledgorAddress": pledgor_address,
            "pledgeeAddress": args["pledgee"],
            "pledgeeId": pledgee_id,
            "terms": terms,
            "termsHash": args["termsHash"],
            "status": "active",
            "chainEvidence": _evidence_json(pledged),
            "securedAmount": int(args["securedAmount"]),
            "currency": args["currency"],
            "maturity": int(args["maturity"]),
            "valuation": valuation,
            "valuationHash": args["valuationHash"],
            "valuations": [valuation_entry],
        }
        self._pledges.append(pledge)
        self._store.record_history(asset_id, acts, pledgor_address)
        return dict(pledge)

    def record_revaluation(
        self, asset_id: str, valuation: str, salt: str, acts: Acts, *, actor: str
    ) -> dict[str, Any]:
        revalued = _act_of(acts, "PledgeRevalued")
        pledge = self._active(asset_id)
        pledge["valuation"], pledge["valuationHash"] = valuation, revalued.args["valuationHash"]
        pledge["valuations"] = [
            *pledge["valuations"],
            {
                "valuation": valuation,
                "valuationHash": revalued.args["valuationHash"],
                "chainEvidence": _evidence_json(revalued),
            },
        ]
        self._store.record_history(asset_id, acts, actor)
        return dict(pledge)

    def close_pledge(self, asset_id: str, status: str, acts: Acts, *, actor: str) -> dict[str, Any]:
        pledge = self._active(asset_id)
        pledge["status"] = status
        self._store.record_history(asset_id, acts, actor)
        return dict(pledge)

    def active_pledge(self, asset_id: str) -> dict[str, Any] | None:
        pledge = next(
            (p for p in self._pledges if p["assetId"] == asset_id and p["status"] == "active"), None
        )
        return dict(pledge) if pledge else None

    def pledges_of(self, asset_id: str) -> list[dict[str, Any]]:
        return [dict(p) for p in self._pledges if p["assetId"] == asset_id]

    def pledges_of_pledgee(
        self, pledgee: str, *, status: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[dict[str, Any]]:
        mine = [
            dict(p)
            for p in reversed(self._pledges)
            if p["pledgeeAddress"].lower() == pledgee.lower() and status in (None, p["status"])
        ]
        return mine[offset : offset + limit]

    def reserve_pledge_certificate_number(
        self, asset_id: str, year: int, month: int, institution: str
    ) -> str:
        pledge = self._active(asset_id)
        if "reservedNumber" not in pledge:
            scope = f"{institution}:{year}{month:02d}"
            self._serials[scope] = self._serials.get(scope, 0) + 1
            pledge["reservedNumber"] = str(
                PledgeCertificateNumber(year, month, institution, self._serials[scope])
            )
        return str(pledge["reservedNumber"])

    def store_pledge_certificate(
        self, asset_id: str, number: str, vc: dict[str, Any], acts: Acts, *, actor: str
    ) -> None:
        pledge = self._active(asset_id)
        pledge["certificateNumber"] = number
        self._certificates[number] = vc
        self._store.record_history(asset_id, acts, actor, {"number": number})

    def pledge_certificate(self, number: str) -> tuple[dict[str, Any], dict[str, Any]]:
        vc = self._certificates.get(number)
        if vc is None:
            raise CertificateNotFound("no pledge certificate with this number", number=number)
        pledge = next(p for p in self._pledges if p.get("certificateNumber") == number)
        return vc, dict(pledge)

    def _active(self, asset_id: str) -> dict[str, Any]:
        pledge = next(
            (p for p in self._pledges if p["assetId"] == asset_id and p["status"] == "active"), None
        )
        if pledge is None:
            raise AssetNotPledged("the asset has no active pledge", asset_id=asset_id)
        return pledge

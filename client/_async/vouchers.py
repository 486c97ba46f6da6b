"""The data vouchers resource: a programme authority's programmes and issues, a registrar's record of a
registration fee, enterprises' redemptions, and a programme's spend.

Every method names its operationId (tests/client checks them against the OpenAPI document, as for
:mod:`dataledger.client._async.resources`). What the signer signs is checked first: the rules and
amounts its caller gave, the reference and value of a redemption.
"""

from __future__ import annotations

from typing import Any

from dataledger.client._async.resources import JSON, Resource
from dataledger.client.signers import Signer

PURPOSES = ("trade", "registration-fee")  # the contract's Purpose, in its order


class Vouchers(Resource):
    # -- the programme authority --------------------------------------------------------------------

    async def create_programme(
        self,
        name: str,
        *,
        currency: str,
        budget: int,
        share_cap_bps: int,
        enterprise_cap: int,
        period_seconds: int,
        signer: Signer,
    ) -> JSON:
        """A programme: its budget, the cap as a share of the amount (basis points: 1000 is 10 %) and the
        cap per enterprise and period (amounts in the smallest unit), signed by the authority."""
        body = {
            "name": name,
            "currency": currency,
            "budget": budget,
            "shareCapBps": share_cap_bps,
            "enterpriseCap": enterprise_cap,
            "periodSeconds": period_seconds,
        }
        expected = {key: value for key, value in body.items() if key != "name"}
        return await self._act(
            ("prepareVoucherProgramme", "/v1/voucher-programmes/requests"),
            ("createVoucherProgramme", "/v1/voucher-programmes"),
            body,
            signer,
            "VoucherProgramme",
            {"authority": signer.address, **expected},
            carry=("programmeId",),
        )

    async def programme(self, programme_id: str) -> JSON:
        """The programme's rules and totals (public)."""
        return await self._client.json(
            "getVoucherProgramme",
            "GET",
            "/v1/voucher-programmes/{programmeId}",
            path={"programmeId": programme_id},
        )

    async def issue(self, programme_id: str, enterprise: str, amount: int, *, signer: Signer) -> JSON:
        """Issue vouchers worth ``amount`` (smallest unit) to ``enterprise``, signed by the authority."""
        return await self._act(
            ("prepareVoucherIssue", "/v1/voucher-programmes/{programmeId}/issue-requests"),
            ("issueVouchers", "/v1/voucher-programmes/{programmeId}/issues"),
            {"enterprise": enterprise, "amount": amount},
            signer,
            "VoucherIssue",
            {"programmeId": programme_id, "enterprise": enterprise, "amount": amount},
            path={"programmeId": programme_id},
        )

    async def spend(self, programme_id: str) -> JSON:
        """The programme's issues and redemptions by enterprise and purpose (its authority)."""
        return await self._client.json(
            "voucherSpend",
            "GET",
            "/v1/voucher-programmes/{programmeId}/spend",
            path={"programmeId": programme_id},
        )

    # -- registrars --------------------------------------------------------------------------------

    async def record_registration_fee(
        self, asset_id: str, amount: int, currency: str, *, signer: Signer, payer: str | None = None
    ) -> JSON:
        """Record the registration fee charged for ``asset_id`` (``amount`` in the currency's smallest
        unit), signed by the registrar's own key. ``payer``, if given, is checked as the enterprise the
        server names as charged (the asset's holder) before signing."""
        body = {"assetId": asset_id, "amount": amount, "currency": currency}
        expected: dict[str, Any] = {"registrar": signer.address, **body}
        if payer is not None:
            expected["payer"] = payer
        return await self._act(
            ("prepareRegistrationFee", "/v1/registration-fees/requests"),
            ("recordRegistrationFee", "/v1/registration-fees"),
            body,
            signer,
            "RegistrationFee",
            expected,
        )

    async def registration_fee(self, asset_id: str) -> JSON:
        """The fee recorded for ``asset_id`` (its payer, its registrar, oversight)."""
        return await self._client.json(
            "getRegistrationFee", "GET", "/v1/registration-fees/{assetId}", path={"assetId": asset_id}
        )

    # -- enterprises --------------------------------------------------------------------------------

    async def redeem(
        self,
        programme_id: str,
        purpose: str,
        reference_id: str,
        value: int,
        *,
        signer: Signer,
        amount: int | None = None,
    ) -> JSON:
        """Redeem vouchers worth ``value`` against a trade (``reference_id``: its order id) or a
        registration fee a registrar recorded (the asset id), signed by the enterprise. ``amount``, if
        given, must be the trade's or the recorded fee's amount; the share cap is of that amount."""
        body: dict[str, Any] = {"purpose": purpose, "referenceId": reference_id, "value": value}
        if amount is not None:
            body["amount"] = amount
        expected = {
            "enterprise": signer.address,
            "programmeId": programme_id,
            "purpose": PURPOSES.index(purpose),
            "referenceId": reference_id,
            "value": value,
        }
        return await self._act(
            ("prepareVoucherRedemption", "/v1/voucher-programmes/{programmeId}/redemption-requests"),
            ("redeemVouchers", "/v1/voucher-programmes/{programmeId}/redemptions"),
            body,
            signer,
            "VoucherRedemption",
            expected,
            path={"programmeId": programme_id},
        )

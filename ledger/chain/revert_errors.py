"""Turn contract reverts into domain errors, in one place.

Reverts arrive from web3 as ``ContractCustomError`` (or an RPC error) carrying raw revert bytes. This
module decodes them against the ABI of every deployed contract and raises the matching
``registry.errors`` exception ``from None``, as httpx's ``map_exceptions`` does for its transports.
``REVERT_ERROR_MAP`` must name every custom error in the ABIs; a test walks the ABIs to prove it.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import function_signature_to_4byte_selector

from dataledger.registry import errors

# error name -> (domain exception, human message). Arguments are attached as extras.
REVERT_ERROR_MAP: Mapping[str, tuple[type[errors.DataLedgerError], str]] = {
    "DataRightsAssetAlreadyRegistered": (errors.AssetAlreadyRegistered, "the asset is already registered"),
    "DataRightsContentAlreadyRegistered": (
        errors.ContentAlreadyRegistered,
        "this content hash is already registered under another asset",
    ),
    "DataRightsAssetNotFound": (errors.AssetNotFound, "the asset is not registered on chain"),
    "DataRightsAssetIsRevoked": (errors.AssetRevoked, "the asset's registration is revoked"),
    "DataRightsInvalidSignature": (errors.InvalidSignature, "the holder's signature does not verify"),
    "DataRightsSignatureExpired": (errors.SignatureExpired, "the holder's signature has expired"),
    "DataRightsZeroHolder": (errors.ValidationFailed, "the holder address must not be zero"),
    "DataRightsZeroHash": (errors.ValidationFailed, "hashes must not be zero"),
    "DataRightsCertificateAlreadyRecorded": (
        errors.CertificateAlreadyRecorded,
        "this certificate hash is already recorded",
    ),
    "DataRightsInvalidStatus": (errors.InvalidAssetStatus, "the asset's status does not allow this act"),
    "DataRightsNoticePeriodEnded": (errors.NoticePeriodEnded, "the public notice has ended"),
    "DataRightsNoticePeriodNotEnded": (errors.NoticePeriodNotEnded, "the public notice has not ended yet"),
    "DataRightsObjectionsOpen": (errors.ObjectionsOpen, "objections against the registration are still open"),
    "DataRightsObjectionNotFound": (errors.ObjectionNotFound, "no such objection on chain"),
    "DataRightsObjectionAlreadyResolved": (
        errors.ObjectionAlreadyResolved,
        "the objection is already resolved",
    ),
    "DataRightsAssetIsPledged": (errors.AssetPledged, "the asset is pledged"),
    "DataRightsAssetNotPledged": (errors.AssetNotPledged, "the asset is not pledged"),
    "DataRightsInvalidPledgeTerms": (
        errors.ValidationFailed,
        "the pledge must secure an amount in a three-letter currency, maturing after the chain's time",
    ),
    "DataRightsPledgeCertified": (
        errors.PledgeAlreadyCertified,
        "the pledge already has its registration certificate",
    ),
    "DataRightsInvalidCounterparty": (
        errors.ValidationFailed,
        "the counterparty must be another account than the holder, not the zero address",
    ),
    "DataRightsCertificateExpired": (errors.CertificateExpired, "the asset's certificate has expired"),
    "DataRightsInvalidValidity": (errors.ValidationFailed, "the certificate's expiry is not acceptable"),
    "DataRightsInvalidNoticePeriod": (errors.ValidationFailed, "the notice period is not acceptable"),
    "DataRightsNoAnchorRegistry": (
        errors.ConfigurationError,
        "the registry has no anchor registry: batched registrations cannot be materialised",
    ),
    "DataRightsRootNotAnchored": (
        errors.BatchNotAnchored,
        "no registration batch with this root is anchored",
    ),
    "DataRightsInvalidProof": (
        errors.InvalidInclusionProof,
        "the proof does not lead from the registration's leaf to the anchored root",
    ),
    "DataRightsNotBatchNonce": (
        errors.ValidationFailed,
        "a batched registration needs a batched nonce (bit 255 set)",
    ),
    "DataRightsAlreadyMaterialised": (
        errors.AlreadyMaterialised,
        "the batched registration signed with this nonce is already materialised",
    ),
    # LicenceRegistry
    "LicenceInvalidSignature": (errors.InvalidSignature, "the signature does not verify"),
    "LicenceSignatureExpired": (errors.SignatureExpired, "the signature has expired"),
    "LicenceZeroHash": (errors.ValidationFailed, "hashes must not be zero"),
    "LicenceInvalidCounterparty": (
        errors.ValidationFailed,
        "the counterparty must be another account, not the zero address",
    ),
    "LicenceAssetNotCertified": (errors.AssetNotCertified, "the asset is not certified"),
    "LicenceAssetCertificateExpired": (errors.CertificateExpired, "the asset's certificate has expired"),
    "LicenceAssetEnforced": (
        errors.LicenceVoidedByEnforcement,
        "a pledge on the asset was enforced after the licence was granted",
    ),
    "LicenceInvalidAssetVersion": (
        errors.ValidationFailed,
        "the licence names a version the asset does not have",
    ),
    "LicenceInvalidPeriod": (errors.ValidationFailed, "the period is empty or already over"),
    "LicenceZeroUses": (errors.ValidationFailed, "a licence allows at least one use"),
    "LicenceNotFound": (errors.LicenceNotFound, "no such licence on chain"),
    "LicenceIsRevoked": (errors.LicenceRevoked, "the licence is revoked"),
    "LicenceNotYetValid": (errors.LicenceNotYetValid, "the licence period has not started"),
    "LicenceExpired": (errors.LicenceExpired, "the licence has expired"),
    "LicenceUsedUp": (errors.LicenceUsedUp, "every use of the licence is consumed"),
    "LicenceOverUse": (errors.LicenceOverUse, "the uses would exceed the licence's maximum"),
    "LicenceAssetPledged": (
        errors.AssetPledged,
        "the asset is pledged: a sole or exclusive licence waits for the pledge's release",
    ),
    "LicenceExclusivityConflict": (
        errors.LicenceExclusivityConflict,
        "a sole or exclusive licence of the asset would overlap another licence in force",
    ),
    "LicenceConsentNotFound": (errors.ConsentNotFound, "no such consent on chain"),
    "LicenceConsentNotActive": (errors.ConsentNotActive, "the consent was already used or withdrawn"),
    "LicenceConsentExpired": (errors.ConsentExpired, "the consent has expired"),
    # DataMarket (listings)
    "DataMarketZeroHash": (errors.ValidationFailed, "hashes must not be zero"),
    "DataMarketNotExchange": (errors.NotAuthorised, "the market contract knows no such exchange"),
    "DataMarketExchangeAlreadyEnrolled": (errors.AlreadyExists, "the exchange is already enrolled"),
    "DataMarketReportAlreadyRecorded": (
        errors.ListingReportNotPassing,
        "this listing verification report is already recorded",
    ),
    "DataMarketReportNotPassing": (
        errors.ListingReportNotPassing,
        "the report is not a recorded, passing, unused verification of this asset",
    ),
    "DataMarketAssetNotCertified": (errors.AssetNotCertified, "the asset is not certified"),
    "DataMarketListingAlreadyExists": (errors.AlreadyExists, "this listing already exists"),
    "DataMarketListingNotFound": (errors.ListingNotFound, "no such listing on chain"),
    "DataMarketListingNotActive": (errors.ListingNotActive, "the listing is already delisted"),
    "DataMarketNotListingExchange": (
        errors.NotAuthorised,
        "only the exchange that listed a product delists it",
    ),
    # DataTrades (orders and trades)
    "DataTradesZeroHash": (errors.ValidationFailed, "hashes must not be zero"),
    "DataTradesInvalidSignature": (errors.InvalidSignature, "the signature does not verify"),
    "DataTradesSignatureExpired": (errors.SignatureExpired, "the signature has expired"),
    "DataTradesInvalidCurrency": (errors.ValidationFailed, "the currency must be an ISO 4217 code"),
    "DataTradesListingNotActive": (errors.ListingNotActive, "the listing is not listed"),
    "DataTradesTermsMismatch": (
        errors.TradeTermsMismatch,
        "the order's licence terms are not those the listing recorded",
    ),
    "DataTradesAssetNotCertified": (errors.AssetNotCertified, "the asset is not certified"),
    "DataTradesInvalidCounterparty": (
        errors.ValidationFailed,
        "the counterparty must be another account than the holder, not the zero address",
    ),
    "DataTradesOrderNotFound": (errors.TradeNotFound, "no such order on chain"),
    "DataTradesInvalidStatus": (errors.TradeInvalidStatus, "the trade's status does not allow this step"),
    "DataTradesNotHolderOrAgent": (
        errors.NotAuthorised,
        "only the holder, or an agent it mandated for the listing, accepts an order",
    ),
    "DataTradesAmountMismatch": (errors.TradeTermsMismatch, "the acceptance names another amount"),
    "DataTradesNotTradeExchange": (
        errors.NotAuthorised,
        "only the exchange that listed the product settles or cancels its trades",
    ),
    "DataTradesNotHolder": (errors.NotAuthorised, "only the listed asset's holder grants a mandate"),
    "DataTradesInvalidPeriod": (errors.ValidationFailed, "the mandate's end is already past"),
    "DataTradesLicenceNotLinkable": (
        errors.TradeLicenceMismatch,
        "the trade already has its licence, or the licence id is zero",
    ),
    "DataTradesMandateNotInForce": (
        errors.TradeMandateNotInForce,
        "the holder has no mandate in force for this agent on this listing",
    ),
    # DataVouchers (data vouchers)
    "VouchersInvalidSignature": (errors.InvalidSignature, "the signature does not verify"),
    "VouchersSignatureExpired": (errors.SignatureExpired, "the signature has expired"),
    "VouchersInvalidRules": (errors.ValidationFailed, "the programme's budget, caps, period or currency"),
    "VouchersProgrammeExists": (errors.AlreadyExists, "this voucher programme exists"),
    "VouchersProgrammeNotFound": (errors.VoucherProgrammeNotFound, "no such voucher programme on chain"),
    "VouchersNotAuthority": (errors.NotAuthorised, "only the programme's authority issues its vouchers"),
    "VouchersInvalidCounterparty": (
        errors.ValidationFailed,
        "vouchers go to an enterprise, neither the zero address nor the authority",
    ),
    "VouchersBudgetExceeded": (errors.VoucherBudgetExceeded, "the issue exceeds the programme's budget"),
    "VouchersInsufficientBalance": (
        errors.VoucherBudgetExceeded,
        "the redemption exceeds the vouchers the enterprise holds",
    ),
    "VouchersShareCapExceeded": (
        errors.VoucherCapExceeded,
        "the redemption exceeds the programme's share of the amount",
    ),
    "VouchersEnterpriseCapExceeded": (
        errors.VoucherCapExceeded,
        "the redemption exceeds what the enterprise may redeem in this period",
    ),
    "VouchersInvalidReference": (
        errors.ValidationFailed,
        "not the enterprise's accepted trade at its amount, nor a registration fee it was charged "
        "at the recorded amount in the programme's currency",
    ),
    "VouchersAlreadyRedeemed": (errors.AlreadyExists, "vouchers were already redeemed against this"),
    "VouchersNotRegistrar": (
        errors.NotAuthorised,
        "only a registrar of the registry records a registration fee",
    ),
    "VouchersInvalidFee": (
        errors.ValidationFailed,
        "the fee needs an amount, an ISO 4217 currency and an asset its payer holds",
    ),
    "VouchersFeeAlreadyRecorded": (
        errors.RegistrationFeeAlreadyRecorded,
        "a registration fee is already recorded for this asset",
    ),
    "VouchersFeeNotRecorded": (
        errors.RegistrationFeeNotRecorded,
        "no registration fee is recorded for this asset",
    ),
    "VouchersFeeAlreadyRedeemed": (
        errors.RegistrationFeeAlreadyRedeemed,
        "vouchers were already redeemed against this registration fee",
    ),
    # AnchorRegistry (Merkle batch anchoring)
    "AnchorZeroRoot": (errors.ValidationFailed, "the batch root must not be zero"),
    "AnchorEmptyBatch": (errors.ValidationFailed, "a batch needs at least one leaf"),
    "AnchorRootAlreadyAnchored": (errors.AlreadyExists, "this batch root is already anchored"),
    "AnchorRootNotAnchored": (errors.NotFound, "this batch root is not anchored"),
    "AnchorInvalidProof": (errors.ValidationFailed, "the inclusion proof does not lead to the anchored root"),
    # OpenZeppelin errors surfaced by the contracts.
    "InvalidAccountNonce": (errors.NonceReplayed, "the holder's nonce was already used or is out of order"),
    "AccessControlUnauthorizedAccount": (errors.NotAuthorised, "the sender lacks the required role"),
    "AccessControlBadConfirmation": (
        errors.NotAuthorised,
        "role renunciation must be confirmed by the account",
    ),
    "ECDSAInvalidSignature": (errors.InvalidSignature, "the signature is invalid"),
    "ECDSAInvalidSignatureLength": (errors.InvalidSignature, "the signature has the wrong length"),
    "ECDSAInvalidSignatureS": (errors.InvalidSignature, "the signature is malleable (high s)"),
    "InvalidShortString": (errors.ValidationFailed, "a short string is invalid"),
    "StringTooLong": (errors.ValidationFailed, "a string is too long"),
}

_ERROR_STRING_SELECTOR = bytes.fromhex("08c379a0")  # Error(string)
_PANIC_SELECTOR = bytes.fromhex("4e487b71")  # Panic(uint256)


@dataclass(frozen=True, slots=True)
class _ErrorAbi:
    name: str
    input_names: tuple[str, ...]
    input_types: tuple[str, ...]


class RevertDecoder:
    """Decodes revert data of the given ABIs into domain exceptions."""

    def __init__(self, abis: Iterable[list[dict[str, Any]]]) -> None:
        self._by_selector: dict[bytes, _ErrorAbi] = {}
        for abi in abis:
            for entry in abi:
                if entry.get("type") != "error":
                    continue
                types = tuple(_canonical_type(i) for i in entry["inputs"])
                selector = function_signature_to_4byte_selector(f"{entry['name']}({','.join(types)})")
                self._by_selector[selector] = _ErrorAbi(
                    entry["name"], tuple(i["name"] for i in entry["inputs"]), types
                )

    def error_names(self) -> set[str]:
        return {e.name for e in self._by_selector.values()}

    def to_domain_error(self, revert_data: bytes | str | None, fallback: str = "") -> errors.DataLedgerError:
        """The domain exception for ``revert_data`` (a generic LedgerError if it is unknown)."""
        data = _as_bytes(revert_data)
        if len(data) < 4:
            return errors.LedgerError(f"the transaction reverted without a reason {fallback}".strip())
        selector, payload = data[:4], data[4:]
        if selector == _ERROR_STRING_SELECTOR:
            (message,) = abi_decode(["string"], payload)
            return errors.LedgerError(f"the contract reverted: {message}")
        if selector == _PANIC_SELECTOR:
            (code,) = abi_decode(["uint256"], payload)
            return errors.LedgerError(f"the contract panicked with code {code:#x}")
        known = self._by_selector.get(selector)
        if known is None:
            return errors.LedgerError(f"the contract reverted with unknown error 0x{selector.hex()}")
        values = abi_decode(list(known.input_types), payload)
        pairs = enumerate(zip(known.input_names, values, strict=True))
        extras = {name or f"arg{i}": _jsonable(v) for i, (name, v) in pairs}
        exc_type, message = REVERT_ERROR_MAP.get(known.name, (errors.LedgerError, "the contract refused"))
        return exc_type(message, contract_error=known.name, **extras)

    @contextlib.contextmanager
    def mapped(self) -> Iterator[None]:
        """Run a chain call; any revert it raises becomes the matching domain error."""
        from web3.exceptions import ContractLogicError, Web3RPCError

        try:
            yield
        except ContractLogicError as exc:
            raise self.to_domain_error(_revert_data_of(exc), str(exc.message or "")) from None
        except Web3RPCError as exc:
            data = _revert_data_of(exc)
            if data:
                raise self.to_domain_error(data) from None
            raise


def _revert_data_of(exc: Exception) -> str | None:
    data = getattr(exc, "data", None)
    if isinstance(data, dict):
        data = data.get("data")
    if data is None:
        rpc = getattr(exc, "rpc_response", None) or {}
        data = (rpc.get("error") or {}).get("data") if isinstance(rpc, dict) else None
        if isinstance(data, dict):
            data = data.get("data")
    if isinstance(data, str):
        match = re.search(r"0x[0-9a-fA-F]{8,}", data)
        return match.group(0) if match else None
    return None


def _canonical_type(param: Mapping[str, Any]) -> str:
    kind = param["type"]
    if kind.startswith("tuple"):
        inner = ",".join(_canonical_type(c) for c in param["components"])
        return f"({inner}){kind[5:]}"
    return kind


def _as_bytes(data: bytes | str | None) -> bytes:
    if data is None:
        return b""
    if isinstance(data, bytes):
        return data
    return bytes.fromhex(data.removeprefix("0x"))


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return value

"""The ``DataVouchers`` contract, seen from Python: voucher programmes, issues and redemptions.

Deployed once per registry beside the ``DataTrades`` whose trades vouchers are redeemed against; its
address is kept in the database like the others. The operator account holds the voucher operator role
and relays the authorities' and enterprises' signed acts (checked again by the contract).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from eth_utils import to_checksum_address
from web3 import Web3
from web3.contract import Contract

# mypy -p resolves this name to the artifacts/ folder of JSON beside artifacts.py (a namespace package)
from dataledger.ledger.chain.artifacts import load_artifact
from dataledger.ledger.chain.contract_acts import ReceiptReader, SignedActContract, b32, call_args, hex_of
from dataledger.ledger.chain.data_market import Deployments
from dataledger.ledger.chain.deployment import deploy_contract, require_deployment
from dataledger.ledger.chain.transactions import (
    SentTransaction,
    TransactionSender,
    unavailable_on_connection_errors,
)
from dataledger.registry.chain_records import ChainAct
from dataledger.registry.errors import LedgerError, ValidationFailed
from dataledger.registry.holder_signatures import ActAuthorisation, Eip712Domain
from dataledger.registry.market.vouchers import vouchers_domain

VOUCHERS_CONTRACT = "DataVouchers"
VOUCHERS_VERSION = "1.1.0"

_RULES = ("currency", "budget", "shareCapBps", "enterpriseCap", "periodSeconds")
_REDEMPTION = ("enterprise", "programmeId", "purpose", "referenceId", "baseAmount", "value")
_ACTS: Mapping[str, tuple[str, tuple[str, ...]]] = MappingProxyType(
    {
        "VoucherIssue": ("issue", ("authority", "programmeId", "enterprise", "amount", "nonce", "deadline")),
        "RegistrationFee": (
            "recordRegistrationFee",
            ("registrar", "assetId", "payer", "amount", "currency", "nonce", "deadline"),
        ),
    }
)


class DataVouchersClient(SignedActContract):
    """Python face of one deployed ``DataVouchers``."""

    def __init__(self, w3: Web3, sender: TransactionSender, address: str) -> None:
        self._w3 = w3
        self._sender = sender
        self._contract: Contract = w3.eth.contract(
            address=to_checksum_address(address), abi=list(load_artifact(VOUCHERS_CONTRACT).abi)
        )
        self._receipts = ReceiptReader(w3, self._contract, sender.chain_id)

    # -- deployment -------------------------------------------------------------------------------

    @classmethod
    def deploy(
        cls, w3: Web3, sender: TransactionSender, trades_address: str
    ) -> tuple[DataVouchersClient, SentTransaction]:
        address, sent = deploy_contract(
            w3, sender, VOUCHERS_CONTRACT, to_checksum_address(trades_address), sender.address
        )
        return cls(w3, sender, address), sent

    @classmethod
    def attach_or_deploy(
        cls,
        w3: Web3,
        sender: TransactionSender,
        deployments: Deployments,
        trades_address: str,
        registry_address: str,
    ) -> DataVouchersClient:
        """Attach to the vouchers contract the database knows for this chain, or deploy it once."""
        known = deployments.deployment(sender.chain_id, VOUCHERS_CONTRACT)
        if known is not None:
            client = cls(w3, sender, known.address)
            require_deployment(
                w3,
                client._contract,
                sender.chain_id,
                "the vouchers contract",
                VOUCHERS_VERSION,
                registry_address=registry_address,
            )
            return client
        client, sent = cls.deploy(w3, sender, trades_address)
        deployments.save_deployment(
            sender.chain_id, VOUCHERS_CONTRACT, client.address, sent.tx_hash, sent.block_number
        )
        return client

    # -- identity ---------------------------------------------------------------------------------

    @property
    def domain(self) -> Eip712Domain:
        return vouchers_domain(self._sender.chain_id, self._contract.address)

    # -- writes -----------------------------------------------------------------------------------

    def submit_act(self, auth: ActAuthorisation, signature: str) -> tuple[ChainAct, ...]:
        """Relay an authority's signed programme or issue, a registrar's signed registration fee, or an
        enterprise's signed redemption."""
        tail = (auth.nonce, auth.deadline, b32(signature))
        if auth.primary_type == "VoucherProgramme":
            rules = tuple(call_args(auth, _RULES))
            authority, programme_id = call_args(auth, ("authority", "programmeId"))
            fn = self._contract.functions.createProgramme(authority, programme_id, rules, *tail)
        elif auth.primary_type == "VoucherRedemption":
            fn = self._contract.functions.redeem(tuple(call_args(auth, _REDEMPTION)), *tail)
        elif auth.primary_type in _ACTS:
            function, names = _ACTS[auth.primary_type]
            fn = getattr(self._contract.functions, function)(*call_args(auth, names), b32(signature))
        else:
            raise ValidationFailed(
                f"the vouchers contract takes no {auth.primary_type} act", field="primaryType"
            )
        sent = self._sender.transact(fn)
        acts = self._receipts.acts(sent.receipt)
        if not acts:
            raise LedgerError("the receipt carries no vouchers contract event", tx_hash=sent.tx_hash)
        return acts

    # -- reads ------------------------------------------------------------------------------------

    def totals(self, programme_id: str) -> tuple[int, int]:
        """What the programme issued and had redeemed, as the contract counts it."""
        programme = self.programme_of(programme_id)
        return (programme["issued"], programme["redeemed"]) if programme else (0, 0)

    def programme_of(self, programme_id: str) -> dict[str, Any] | None:
        """``IDataVouchers.Programme`` as the contract holds it (None if there is no such programme)."""
        with unavailable_on_connection_errors():
            record = self._contract.functions.programmeOf(b32(programme_id)).call()
        authority, currency, budget, issued, redeemed, share, cap, period, _ = record
        if int(authority, 16) == 0:
            return None
        return {
            "authority": str(authority).lower(),
            "currency": str(currency),
            "budget": int(budget),
            "issued": int(issued),
            "redeemed": int(redeemed),
            "shareCapBps": int(share),
            "enterpriseCap": int(cap),
            "periodSeconds": int(period),
        }

    def registration_fee_of(self, asset_id: str) -> dict[str, Any] | None:
        """``IDataVouchers.RegistrationFee`` of ``asset_id`` as the contract holds it (None if none)."""
        with unavailable_on_connection_errors():
            record = self._contract.functions.registrationFeeOf(b32(asset_id)).call()
        registrar, payer, amount, currency, recorded_at, redeemed_in = record
        if int(registrar, 16) == 0:
            return None
        return {
            "registrar": str(registrar).lower(),
            "payer": str(payer).lower(),
            "amount": int(amount),
            "currency": str(currency),
            "recordedAt": int(recorded_at),
            "redeemedIn": None if int.from_bytes(redeemed_in, "big") == 0 else hex_of(redeemed_in),
        }

    def balance_of(self, programme_id: str, enterprise: str) -> int:
        with unavailable_on_connection_errors():
            fn = self._contract.functions.balanceOf(b32(programme_id), to_checksum_address(enterprise))
            return int(fn.call())

    def spent_this_period(self, programme_id: str, enterprise: str) -> int:
        with unavailable_on_connection_errors():
            fn = self._contract.functions.spentThisPeriod(b32(programme_id), to_checksum_address(enterprise))
            return int(fn.call())

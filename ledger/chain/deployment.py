"""Deploying the project's contracts and attaching to a recorded deployment, for every contract client.

A deployment is the contract's compiled artifact sent by the operator; an attachment refuses an
address whose code is gone (the chain was reset, or is another), a contract of another version, and a
companion contract (licence registry, market) that serves another data-rights registry.
"""

from __future__ import annotations

from typing import Any

from eth_utils import to_checksum_address
from web3 import Web3
from web3.contract import Contract

from dataledger.ledger.chain.artifacts import load_artifact
from dataledger.ledger.chain.transactions import (
    SentTransaction,
    TransactionSender,
    unavailable_on_connection_errors,
)
from dataledger.registry.errors import LedgerError, LedgerInconsistent


def deploy_contract(
    w3: Web3, sender: TransactionSender, name: str, *arguments: Any
) -> tuple[str, SentTransaction]:
    """Send the constructor of contract ``name`` with ``arguments``; its address and the transaction."""
    artifact = load_artifact(name)
    factory = w3.eth.contract(abi=list(artifact.abi), bytecode=artifact.bytecode)
    sent = sender.transact(factory.constructor(*arguments))
    address = sent.receipt.get("contractAddress")
    if not address:
        raise LedgerError("deployment produced no contract address", tx_hash=sent.tx_hash)
    return str(address), sent


def require_deployment(
    w3: Web3,
    contract: Contract,
    chain_id: int,
    what: str,
    version: str,
    *,
    registry_address: str | None = None,
) -> None:
    """Refuse an attachment to ``contract`` (``what``: "the licence registry") unless it has code on
    this chain, has ``version``, and (with ``registry_address``) serves that data-rights registry."""
    with unavailable_on_connection_errors():
        code = w3.eth.get_code(to_checksum_address(contract.address))
    if not code:
        raise LedgerInconsistent(
            f"the recorded {what.removeprefix('the ')} has no code on this chain: "
            "the chain was reset or is another",
            address=contract.address,
            chain_id=chain_id,
        )
    with unavailable_on_connection_errors():
        found = contract.functions.version().call()
        registry = contract.functions.dataRightsRegistry().call() if registry_address is not None else None
    if found != version:
        raise LedgerInconsistent(f"{what} has an unexpected version", found=found, expected=version)
    if registry_address is not None and str(registry).lower() != registry_address.lower():
        raise LedgerInconsistent(
            f"{what} serves another registry's assets", found=registry, expected=registry_address
        )

"""The ``AnchorRegistry`` contract, seen from Python: deploy, anchor batch roots, read anchors back.

Writes go through the shared ``TransactionSender`` (one nonce manager per operator account); reads
that revert (``requireAnchoredLeaf``) raise the mapped domain error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from eth_utils import to_checksum_address
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD

# mypy -p resolves this name to the artifacts/ folder of JSON beside artifacts.py (a namespace package)
from dataledger.ledger.chain.artifacts import load_artifact
from dataledger.ledger.chain.deployment import deploy_contract, require_deployment
from dataledger.ledger.chain.revert_errors import RevertDecoder
from dataledger.ledger.chain.transactions import (
    SentTransaction,
    TransactionSender,
    unavailable_on_connection_errors,
)
from dataledger.registry.chain_records import AnchorEvidence
from dataledger.registry.errors import LedgerError

ANCHOR_CONTRACT = "AnchorRegistry"
ANCHOR_VERSION = "1.0.0"


@dataclass(frozen=True, slots=True)
class AnchorRecord:
    """``IAnchorRegistry.Anchor``: what the contract stores about an anchored root."""

    kind: bytes
    batch_id: int
    anchored_at: int
    leaf_count: int


class AnchorRegistryClient:
    """Python face of one deployed ``AnchorRegistry``."""

    def __init__(self, w3: Web3, sender: TransactionSender, address: str, *, deployed_block: int = 0) -> None:
        artifact = load_artifact(ANCHOR_CONTRACT)
        self._w3 = w3
        self._sender = sender
        self._contract: Contract = w3.eth.contract(
            address=to_checksum_address(address), abi=list(artifact.abi)
        )
        self._decoder = RevertDecoder([list(artifact.abi)])
        self._deployed_block = deployed_block

    @classmethod
    def deploy(
        cls, w3: Web3, sender: TransactionSender, *, admin: str, anchorer: str
    ) -> tuple[AnchorRegistryClient, SentTransaction]:
        """Deploy a fresh registry; ``admin`` and ``anchorer`` receive their roles."""
        address, sent = deploy_contract(
            w3, sender, ANCHOR_CONTRACT, to_checksum_address(admin), to_checksum_address(anchorer)
        )
        return cls(w3, sender, address, deployed_block=sent.block_number), sent

    @classmethod
    def attach(
        cls, w3: Web3, sender: TransactionSender, address: str, *, deployed_block: int = 0
    ) -> AnchorRegistryClient:
        """Attach to an existing deployment, refusing an address that holds no anchor registry."""
        client = cls(w3, sender, address, deployed_block=deployed_block)
        require_deployment(w3, client._contract, sender.chain_id, "the anchor registry", ANCHOR_VERSION)
        return client

    @property
    def address(self) -> str:
        return self._contract.address

    @property
    def chain_id(self) -> int:
        return self._sender.chain_id

    @property
    def abi(self) -> list[dict[str, Any]]:
        return cast(list[dict[str, Any]], list(self._contract.abi))

    # -- writes -----------------------------------------------------------------------------------

    def anchor(self, root: bytes, leaf_count: int, kind: bytes) -> AnchorEvidence:
        """Anchor ``root`` in one transaction and return the evidence of its ``BatchAnchored`` event."""
        sent = self._sender.transact(self._contract.functions.anchor(root, leaf_count, kind))
        evidence = self._evidence_from_receipt(sent.receipt, root)
        if evidence is None:
            raise LedgerError("the anchor receipt carries no BatchAnchored event", tx_hash=sent.tx_hash)
        return evidence

    # -- reads ------------------------------------------------------------------------------------

    def anchor_of(self, root: bytes) -> AnchorRecord | None:
        with unavailable_on_connection_errors():
            kind, batch_id, anchored_at, leaf_count = self._contract.functions.anchorOf(root).call()
        if batch_id == 0:
            return None
        return AnchorRecord(bytes(kind), int(batch_id), int(anchored_at), int(leaf_count))

    def is_anchored(self, root: bytes) -> bool:
        with unavailable_on_connection_errors():
            return bool(self._contract.functions.isAnchored(root).call())

    def batch_count(self) -> int:
        with unavailable_on_connection_errors():
            return int(self._contract.functions.batchCount().call())

    def find_anchor(self, root: bytes) -> AnchorEvidence | None:
        """The ``BatchAnchored`` event of ``root`` (a log query by its indexed topic), or None."""
        event = self._contract.events.BatchAnchored()
        with unavailable_on_connection_errors():
            logs = event.get_logs(
                from_block=self._deployed_block, to_block="latest", argument_filters={"root": root}
            )
            for log in logs:
                receipt = self._w3.eth.get_transaction_receipt(log["transactionHash"])
                return self._evidence_from_receipt(receipt, root)
        return None

    def verify_proof(self, root: bytes, proof: Sequence[bytes], leaf: bytes) -> bool:
        """OpenZeppelin ``MerkleProof.verify`` run by the contract (whether or not the root is anchored)."""
        with unavailable_on_connection_errors():
            return bool(self._contract.functions.verifyProof(root, list(proof), leaf).call())

    def verify_leaf(self, root: bytes, proof: Sequence[bytes], leaf: bytes) -> bool:
        """Whether the contract holds ``root`` as anchored and ``proof`` proves ``leaf`` under it."""
        with unavailable_on_connection_errors():
            return bool(self._contract.functions.verifyLeaf(root, list(proof), leaf).call())

    def require_anchored_leaf(self, root: bytes, proof: Sequence[bytes], leaf: bytes) -> AnchorRecord:
        """The anchor under which ``proof`` proves ``leaf``; a refusal is raised as a domain error."""
        with unavailable_on_connection_errors(), self._decoder.mapped():
            kind, batch_id, anchored_at, leaf_count = self._contract.functions.requireAnchoredLeaf(
                root, list(proof), leaf
            ).call()
        return AnchorRecord(bytes(kind), int(batch_id), int(anchored_at), int(leaf_count))

    # -- helpers ----------------------------------------------------------------------------------

    def _evidence_from_receipt(self, receipt: Any, root: bytes) -> AnchorEvidence | None:
        for log in self._contract.events.BatchAnchored().process_receipt(receipt, errors=DISCARD):
            if log["address"] != self._contract.address or bytes(log["args"]["root"]) != root:
                continue
            block_number = int(log["blockNumber"])
            with unavailable_on_connection_errors():
                timestamp = int(self._w3.eth.get_block(block_number)["timestamp"])
            return AnchorEvidence(
                chain_id=self.chain_id,
                contract=self._contract.address,
                batch_id=int(log["args"]["batchId"]),
                root=root,
                tx_hash="0x" + bytes(log["transactionHash"]).hex(),
                block_number=block_number,
                block_timestamp=timestamp,
                log_index=int(log["logIndex"]),
                gas_used=int(receipt["gasUsed"]),
            )
        return None

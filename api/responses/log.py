"""Response shapes of the registry's append-only log: its key, signed checkpoints, entries with RFC 9162
inclusion proofs, and consistency proofs.

An entry is the canonical JSON the log hashed (``sha256(0x00 || entry)`` is its leaf): the shapes below
name every member, so the answer re-hashes to ``leafHash``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from dataledger.api.responses.assets import HistoryAct
from dataledger.api.responses.bulk import AnchoredKind
from dataledger.api.responses.common import (
    ASSET_ID_EXAMPLE,
    CHAIN_EVIDENCE_EXAMPLE,
    TX_HASH_EXAMPLE,
    ChainAddress,
    HexHash,
    Wire,
    example,
)

ORIGIN_EXAMPLE = "dataledger.example/log"
ROOT_HASH_EXAMPLE = "0x" + "4b" * 32
NOTE_EXAMPLE = (
    f"{ORIGIN_EXAMPLE}\n42\nS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0s=\n\n"
    f"\u2014 {ORIGIN_EXAMPLE} Az3K7lVQmT0c0e3bqUjv4n+Zq6a5l0WcCw5A7KXbYfB1o2Zd"
    "Xk0R3eJ+kQ8m9T2sW1yHnVq0aLcXgZ7bP4rE6fD1=\n"
)


class LogInfo(Wire):
    """What a verifier needs to check the log's checkpoints."""

    model_config = example(
        {
            "origin": ORIGIN_EXAMPLE,
            "verifierKey": f"{ORIGIN_EXAMPLE}+33a5c2f1+AfRQ8nq4n0bS4wq2Y0o3cZr7sP1dV6eH9kL2mN5tU8xA",
        }
    )

    origin: str = Field(description="The log's origin: the first line of each checkpoint")
    verifier_key: str = Field(
        description="The note verifier key (C2SP signed-note) checkpoints are signed with"
    )


class CheckpointAnchor(Wire):
    """The transaction that anchored the checkpoint's root on chain."""

    model_config = example({"txHash": TX_HASH_EXAMPLE, "blockNumber": 131})

    tx_hash: HexHash
    block_number: int | None


class Checkpoint(Wire):
    """A checkpoint of the log: its size and root, the signed note, and the root's anchor on chain."""

    model_config = example(
        {
            "treeSize": 42,
            "rootHash": ROOT_HASH_EXAMPLE,
            "checkpoint": NOTE_EXAMPLE,
            "anchor": {"txHash": TX_HASH_EXAMPLE, "blockNumber": 131},
        }
    )

    tree_size: int = Field(description="How many entries the checkpoint covers")
    root_hash: HexHash = Field(description="The RFC 9162 Merkle tree hash of those entries")
    checkpoint: str = Field(description="The C2SP signed note (keep it to audit the log later)")
    anchor: CheckpointAnchor | None = Field(description="null when the root was not anchored")


# -- entries ---------------------------------------------------------------------------------------

ACT_ENTRY_EXAMPLE: dict[str, Any] = {
    "v": 1,
    "source": "history",
    "subject": ASSET_ID_EXAMPLE,
    "act": "registered",
    "actor": "0x" + "3c" * 20,
    "detail": {"contentHash": "0x" + "c0" * 32},
    "chainId": CHAIN_EVIDENCE_EXAMPLE["chainId"],
    "contract": CHAIN_EVIDENCE_EXAMPLE["contract"],
    "txHash": CHAIN_EVIDENCE_EXAMPLE["txHash"],
    "blockNumber": CHAIN_EVIDENCE_EXAMPLE["blockNumber"],
    "logIndex": CHAIN_EVIDENCE_EXAMPLE["logIndex"],
}


class _ActEntry(Wire):
    v: Literal[1] = Field(description="The entry format's version")
    actor: str = Field(description="Who acted (a chain address, or the registry's operator)")
    detail: dict[str, Any] = Field(description="The act's recorded detail")
    chain_id: int
    contract: ChainAddress = Field(description="The contract that recorded the act (lower case)")
    tx_hash: HexHash
    block_number: int
    log_index: int


class AssetActEntry(_ActEntry):
    """An act of an asset's history, with its transaction."""

    model_config = example(ACT_ENTRY_EXAMPLE)

    source: Literal["history"]
    subject: HexHash = Field(description="The asset id")
    act: HistoryAct


class ConsentActEntry(_ActEntry):
    """An act on a data subject's consent, with its transaction."""

    model_config = example(
        {
            **ACT_ENTRY_EXAMPLE,
            "source": "consent",
            "subject": 3,
            "act": "consent-withdrawn",
            "detail": {"subject": "0x" + "6a" * 20},
        }
    )

    source: Literal["consent"]
    subject: int = Field(description="The consent id")
    act: Literal["consent-granted", "consent-consumed", "consent-withdrawn"]


class AnchoredEntry(Wire):
    """An entry of the anchoring outbox (a batched registration, an EPCIS event or error declaration),
    by its Merkle leaf, which commits to the stored content."""

    model_config = example(
        {
            "v": 1,
            "source": "outbox",
            "kind": "registration",
            "ref": ASSET_ID_EXAMPLE,
            "leaf": "0x" + "3f" * 32,
        }
    )

    v: Literal[1] = Field(description="The entry format's version")
    source: Literal["outbox"]
    kind: AnchoredKind
    ref: str = Field(description="The entry's id: an asset id, an event hash ID, or a declaration id")
    leaf: HexHash = Field(description="Its Merkle leaf in the anchoring batches")


LogEntryBody = Annotated[AssetActEntry | ConsentActEntry | AnchoredEntry, Field(discriminator="source")]

PROOF_EXAMPLE = ["0x" + "61" * 32, "0x" + "c4" * 32, "0x" + "0e" * 32]


class LogEntry(Wire):
    """An entry of the log and its RFC 9162 inclusion proof in the checkpoint of ``treeSize``."""

    model_config = example(
        {
            "index": 7,
            "entry": ACT_ENTRY_EXAMPLE,
            "leafHash": "0x" + "9c" * 32,
            "treeSize": 42,
            "inclusionProof": PROOF_EXAMPLE,
        }
    )

    index: int = Field(description="The entry's position in the log")
    entry: LogEntryBody
    leaf_hash: HexHash = Field(description="sha256(0x00 || the entry's RFC 8785 canonical JSON)")
    tree_size: int = Field(description="The checkpoint the proof is into")
    inclusion_proof: list[HexHash]


class ConsistencyProof(Wire):
    """An RFC 9162 consistency proof: the tree of ``fromSize`` entries is a prefix of that of ``toSize``."""

    model_config = example({"fromSize": 30, "toSize": 42, "consistencyProof": PROOF_EXAMPLE})

    from_size: int
    to_size: int = Field(description="A checkpoint's size (default: the latest)")
    consistency_proof: list[HexHash]


#: The ``format=note`` answer: the latest checkpoint as the C2SP signed note itself.
NOTE_SCHEMA: dict[str, Any] = {
    "type": "string",
    "description": "The C2SP signed note: origin, size, base64 root, a blank line, and the signature lines",
    "examples": [NOTE_EXAMPLE],
}

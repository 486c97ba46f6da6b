"""A fake chain for the fake contracts: a clock the test moves, blocks mined one per transaction, and
the two checks every contract shares (EIP-712 authorisations with per-signer nonces, and the domain
error each custom error becomes).

Every transaction is mined in a block of its own, stamped ``max(clock, previous block + 1)`` as an
automining chain stamps it; the contracts judge notices, deadlines and terms by that stamp, and
``next_block_timestamp`` answers it in advance, as ``DataRightsRegistryClient.next_block_timestamp`` does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dataledger.ledger.chain.revert_errors import REVERT_ERROR_MAP
from dataledger.registry.chain_records import ChainAct
from dataledger.registry.chain_types import ChainEvidence, OnChainAssetStatus
from dataledger.registry.errors import DataLedgerError, InvalidSignature
from dataledger.registry.holder_signatures import Eip712Domain, act_authorisation, recover_typed_data_signer

Acts = tuple[ChainAct, ...]
S = OnChainAssetStatus

CHAIN_ID = 31337
START_OF_TIME = 1_767_225_600  # 2026-01-01T00:00:00Z


def reverted(error: str, **args: Any) -> DataLedgerError:
    """The domain error the chain clients raise when a contract reverts with custom error ``error``
    (``REVERT_ERROR_MAP``, the adapters' one table, with ``contract_error`` naming the custom error)."""
    exc_type, message = REVERT_ERROR_MAP[error]
    return exc_type(message, contract_error=error, **args)


def is_zero(value: str) -> bool:
    """Whether a 0x-hex address or hash is zero (Solidity's ``address(0)`` / ``bytes32(0)``)."""
    return int(value, 16) == 0


# -- time and blocks --------------------------------------------------------------------------------


@dataclass
class FakeClock:
    """Wall-clock time of the chain, moved by the test (the ``Clock`` port)."""

    seconds: int = START_OF_TIME

    def now(self) -> int:
        return self.seconds

    def advance(self, seconds: int) -> None:
        self.seconds += seconds

    def datetime(self) -> datetime:
        return datetime.fromtimestamp(self.seconds, UTC)


class FakeChain:
    """One automining chain: each transaction is a block, stamped no earlier than the clock."""

    def __init__(self, clock: FakeClock, chain_id: int = CHAIN_ID) -> None:
        self.clock = clock
        self.chain_id = chain_id
        self._timestamps = [clock.now() - 1]  # the genesis block
        self._transactions: dict[str, Acts] = {}
        self._by_signature: dict[str, Acts] = {}  # what a scan of transaction inputs would find

    def next_block_timestamp(self) -> int:
        return max(self.clock.now(), self._timestamps[-1] + 1)

    def block_timestamp(self, block_number: int) -> int:
        return self._timestamps[block_number]

    def mine(self, contract: str, events: Sequence[tuple[str, dict[str, Any]]]) -> Acts:
        """Mine one transaction of ``contract`` that emitted ``events``; its acts, as a receipt reads."""
        timestamp = self.next_block_timestamp()
        number = len(self._timestamps)
        self._timestamps.append(timestamp)
        tx_hash = "0x" + hashlib.sha256(f"fake tx {number}".encode()).hexdigest()
        acts = tuple(
            ChainAct(name, args, ChainEvidence(self.chain_id, contract, tx_hash, number, index), timestamp)
            for index, (name, args) in enumerate(events)
        )
        self._transactions[tx_hash] = acts
        return acts

    def acts_of_transaction(self, tx_hash: str) -> Acts | None:
        return self._transactions.get(tx_hash.lower())

    def latest_block_number(self) -> int:
        return len(self._timestamps) - 1

    def carried(self, signature: str, acts: Acts) -> Acts:
        """Note that the transaction of ``acts`` carried ``signature`` in its input."""
        self._by_signature[signature.lower()] = acts
        return acts

    def find_act(self, contract: str, signature: str, from_block: int) -> Acts | None:
        acts = self._by_signature.get(signature.lower())
        if not acts or acts[0].evidence.contract != contract or acts[0].evidence.block_number < from_block:
            return None
        return acts

    def every_act(self, contract: str) -> Iterable[ChainAct]:
        """Every event ``contract`` emitted, in chain order (what a log query reads)."""
        for acts in self._transactions.values():
            yield from (act for act in acts if act.evidence.contract == contract)


class Authorisations:
    """OpenZeppelin's ``Nonces`` and ``SignatureChecker`` as a contract's ``_useAuthorisation`` uses them.

    ``check`` refuses in the contract's order (deadline, signature, nonce); ``consume`` is called once
    every other check of the function passed, so that a refused act never uses up a nonce.
    """

    def __init__(self, prefix: str, domain: Eip712Domain) -> None:
        self._prefix = prefix
        self._domain = domain
        self._nonces: dict[str, int] = {}

    def nonce_of(self, signer: str) -> int:
        return self._nonces.get(signer.lower(), 0)

    def check(self, typed_data: dict[str, Any], signer: str, signature: str, now: int) -> None:
        message = typed_data["message"]
        deadline, nonce = int(message["deadline"]), int(message["nonce"])
        if now > deadline:
            raise reverted(f"{self._prefix}SignatureExpired", deadline=deadline, timestamp=now)
        if not self.signed_by(typed_data, signer, signature):
            raise reverted(f"{self._prefix}InvalidSignature", signer=signer)
        current = self.nonce_of(signer)
        if nonce != current:
            raise reverted("InvalidAccountNonce", account=signer, currentNonce=current)

    @staticmethod
    def signed_by(typed_data: dict[str, Any], signer: str, signature: str) -> bool:
        """``SignatureChecker.isValidSignatureNow``: false, never a revert, for a malformed signature."""
        try:
            return recover_typed_data_signer(typed_data, signature).lower() == signer.lower()
        except InvalidSignature:
            return False

    def check_act(self, primary_type: str, signer: str, signature: str, now: int, **fields: Any) -> None:
        """Check an act whose struct the contract builds from ``fields`` (call arguments and storage)."""
        auth = act_authorisation(primary_type, signer, **fields)
        self.check(auth.typed_data(self._domain), signer, signature, now)

    def consume(self, signer: str) -> None:
        self._nonces[signer.lower()] = self.nonce_of(signer) + 1

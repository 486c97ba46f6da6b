"""``DevnetChain`` in-process: reopening, rewinding, mempool, clock, admission rules."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_utils import to_checksum_address
from web3 import Web3

from dataledger_devnet import DevnetChain, dev_accounts, open_chain
from dataledger_devnet.call_request import CallRequest
from dataledger_devnet.errors import ChainConfigMismatch, InvalidTimestamp, TransactionRejected
from dataledger_devnet.genesis import DevnetMiningChain
from dataledger_devnet.indexes import LogFilter
from tests.devnet.devnet_process import REPO_ROOT
from tests.devnet.probe import ARTIFACT, DEV0_KEY

RECIPIENT = bytes.fromhex("11" * 20)
PROBE = Web3().eth.contract(abi=ARTIFACT["abi"])


def _transfer(nonce: int, value: int = 1, key: str = DEV0_KEY, **overrides: Any) -> bytes:
    tx = {
        "to": "0x" + RECIPIENT.hex(),
        "value": value,
        "gas": 21000,
        "maxFeePerGas": 10**10,
        "maxPriorityFeePerGas": 10**9,
        "nonce": nonce,
        "chainId": 31337,
        **overrides,
    }
    return bytes(Account.sign_transaction(tx, key).raw_transaction)


def _dev0(chain: DevnetChain) -> bytes:
    return chain.accounts[0].address


def test_dev_accounts_are_the_anvil_and_hardhat_ones() -> None:
    addresses = ["0x" + account.address.hex() for account in dev_accounts()]
    assert addresses[:3] == [
        "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
        "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
        "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc",
    ]
    assert len(addresses) == 10


def test_reopening_resumes_at_the_head_without_executing_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chain = open_chain(tmp_path / "chain", sync=False)
    for nonce in range(5):
        chain.send_raw_transaction(_transfer(nonce, value=10))
    head = chain.head()
    chain.close()

    def no_execution(*_: Any, **__: Any) -> None:
        raise AssertionError("history was executed on open")

    for method in ("apply_transaction", "import_block", "mine_block", "mine_all"):
        monkeypatch.setattr(DevnetMiningChain, method, no_execution)
    reopened = open_chain(tmp_path / "chain")
    try:
        assert reopened.head() == head
        assert reopened.state().get_balance(RECIPIENT) == 50
        assert reopened.pending_nonce(_dev0(reopened)) == 5
    finally:
        reopened.close()


def test_opening_a_directory_twice_in_a_process_shares_the_chain(chain: DevnetChain) -> None:
    assert open_chain(chain.store.path) is chain
    with pytest.raises(ChainConfigMismatch):
        open_chain(chain.store.path, chain_id=1)


def test_a_chain_keeps_the_chain_id_it_was_created_with(tmp_path: Path) -> None:
    open_chain(tmp_path / "chain", chain_id=1337, sync=False).close()
    with pytest.raises(ChainConfigMismatch):
        open_chain(tmp_path / "chain", chain_id=31337)
    reopened = open_chain(tmp_path / "chain")
    assert reopened.chain_id == 1337
    reopened.close()


def test_another_process_cannot_open_a_directory_in_use(chain: DevnetChain) -> None:
    script = (
        "import sys\n"
        "from dataledger_devnet import open_chain\n"
        "from dataledger_devnet.errors import DataDirInUse\n"
        "try:\n    open_chain(sys.argv[1])\nexcept DataDirInUse:\n    sys.exit(42)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(chain.store.path)],
        env={"PYTHONPATH": str(REPO_ROOT / "hardhat-free-devnet")},
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 42, result.stderr


def test_revert_forgets_discarded_blocks_for_good(tmp_path: Path) -> None:
    chain = open_chain(tmp_path / "chain", sync=False)
    chain.send_raw_transaction(_transfer(0))
    kept_head = chain.head()
    snapshot = chain.snapshot()
    discarded = [chain.send_raw_transaction(_transfer(nonce)) for nonce in (1, 2)]
    assert chain.revert(snapshot)
    chain.close()

    chain = open_chain(tmp_path / "chain", sync=False)
    try:
        assert chain.head() == kept_head
        assert all(chain.transaction(tx_hash) is None for tx_hash in discarded)
        assert chain.header(kept_head.block_number + 1) is None
        assert chain.pending_nonce(_dev0(chain)) == 1
        replacement = chain.send_raw_transaction(_transfer(1, value=7))
        block, index = chain.transaction(replacement)
        assert (block.number, index) == (kept_head.block_number + 1, 0)
        assert chain.state().get_balance(RECIPIENT) == 8
    finally:
        chain.close()


def test_reverting_rewinds_the_log_index(chain: DevnetChain) -> None:
    deploy = Account.sign_transaction(
        {"data": ARTIFACT["bytecode"], "gas": 500_000, "gasPrice": 10**10, "nonce": 0, "chainId": 31337},
        DEV0_KEY,
    )
    chain.send_raw_transaction(bytes(deploy.raw_transaction))
    address = bytes.fromhex("5fbdb2315678afecb367f032d93f642f64180aa3")  # DEV0's first contract
    assert chain.state().get_code(address)
    snapshot = chain.snapshot()
    store = Account.sign_transaction(
        {
            "to": to_checksum_address(address),
            "data": PROBE.encode_abi("store", [4, b"\0" * 32]),
            "gas": 100_000,
        }
        | {"gasPrice": 10**10, "nonce": 1, "chainId": 31337},
        DEV0_KEY,
    )
    chain.send_raw_transaction(bytes(store.raw_transaction))
    assert len(chain.logs(LogFilter(0, 100, frozenset([address])))) == 1

    chain.revert(snapshot)

    assert chain.logs(LogFilter(0, 100, frozenset([address]))) == []


def test_manual_mining_keeps_acknowledged_transactions_across_a_restart(tmp_path: Path) -> None:
    chain = open_chain(tmp_path / "chain", sync=False)
    chain.automine = False
    pending = [chain.send_raw_transaction(_transfer(nonce)) for nonce in range(3)]
    assert chain.head().block_number == 0
    chain.close()

    chain = open_chain(tmp_path / "chain", sync=False)
    try:
        assert chain.pending_nonce(_dev0(chain)) == 3
        [block] = chain.mine()
        assert [tx.hash for tx in block.transactions] == pending
        assert chain.pending_transactions() == []
    finally:
        chain.close()


def test_mining_drops_a_queued_transaction_that_no_longer_fits_and_keeps_the_rest(chain: DevnetChain) -> None:
    chain.automine = False
    kept = chain.send_raw_transaction(_transfer(0))
    with chain.store.write():  # queued although its sender cannot pay (as if drained since)
        chain.mempool.add(_transfer(0, value=2, key="0x" + "42" * 32))
    also_kept = chain.send_raw_transaction(_transfer(1, value=3))

    [block] = chain.mine()

    assert [tx.hash for tx in block.transactions] == [kept, also_kept]
    assert chain.state().get_balance(RECIPIENT) == 1 + 3
    assert chain.pending_transactions() == []


def test_block_time_follows_the_clock_offset_and_pins(tmp_path: Path) -> None:
    now = [2_000_000_000.0]
    chain = open_chain(tmp_path / "chain", sync=False, wall=lambda: now[0])
    try:
        assert chain.head().timestamp == 2_000_000_000  # genesis
        chain.mine()
        assert chain.head().timestamp == 2_000_000_001  # a block is never in its parent's second
        now[0] += 100
        chain.mine()
        assert chain.head().timestamp == 2_000_000_100

        assert chain.increase_time(3600) == 3600
        chain.mine()
        assert chain.head().timestamp == 2_000_003_700

        chain.set_next_block_timestamp(2_100_000_000)
        chain.mine()
        assert chain.head().timestamp == 2_100_000_000
        now[0] += 10
        chain.mine()
        assert chain.head().timestamp == 2_100_000_010  # time continues from the pinned stamp
        with pytest.raises(InvalidTimestamp):
            chain.set_next_block_timestamp(2_000_000_000)
    finally:
        chain.close()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (lambda: _transfer(0, chainId=1), "invalid chain id for signer"),
        (lambda: _transfer(5), "nonce too high"),
        (lambda: _transfer(0, gas=20_000), "intrinsic gas too low"),
        (
            lambda: _transfer(0, maxFeePerGas=1, maxPriorityFeePerGas=1),
            "max fee per gas less than block base fee",
        ),
        (lambda: _transfer(0, gas=31_000_000), "exceeds block gas limit"),
        (lambda: _transfer(0, key="0x" + "42" * 32), "insufficient funds for gas * price + value"),
        (lambda: b"\x02\xc0", "invalid transaction"),
    ],
)
def test_inadmissible_transactions_are_refused_without_a_block(
    chain: DevnetChain, raw: Any, message: str
) -> None:
    with pytest.raises(TransactionRejected, match=re.escape(message)):
        chain.send_raw_transaction(raw())
    assert chain.head().block_number == 0


def test_a_transaction_is_refused_when_sent_twice(chain: DevnetChain) -> None:
    raw = _transfer(0)
    chain.send_raw_transaction(raw)
    with pytest.raises(TransactionRejected, match="already known"):
        chain.send_raw_transaction(raw)


def test_gas_estimate_is_exact_for_transfers_and_enough_for_contract_calls(chain: DevnetChain) -> None:
    dev0 = _dev0(chain)
    assert chain.estimate_gas(CallRequest(sender=dev0, to=RECIPIENT, value=1)) == 21000
    create = CallRequest(sender=dev0, data=bytes.fromhex(ARTIFACT["bytecode"][2:]))
    estimate = chain.estimate_gas(create)
    deploy = Account.sign_transaction(
        {"data": ARTIFACT["bytecode"], "gas": estimate, "gasPrice": 10**10, "nonce": 0, "chainId": 31337},
        DEV0_KEY,
    )
    block, index = chain.transaction(chain.send_raw_transaction(bytes(deploy.raw_transaction)))
    receipt = chain.receipts(block)[index]
    assert receipt.state_root == b"\x01"  # success
    assert receipt.gas_used <= estimate < receipt.gas_used * 1.02

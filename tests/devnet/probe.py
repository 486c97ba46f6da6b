"""The committed ``DevnetProbe`` test contract (``assets/DevnetProbe.sol``, compiled once, see the JSON)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from web3 import Web3
from web3.contract import Contract

ASSETS = Path(__file__).parent / "assets"
ARTIFACT: dict[str, Any] = json.loads((ASSETS / "DevnetProbe.json").read_text())

# The standard dev mnemonic's first two accounts and the first one's key (public test values).
DEV0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
DEV1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
DEV0_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


def deploy_probe(w3: Web3, sender: str = DEV0) -> Contract:
    factory = w3.eth.contract(abi=ARTIFACT["abi"], bytecode=ARTIFACT["bytecode"])
    receipt = w3.eth.wait_for_transaction_receipt(factory.constructor().transact({"from": sender}))
    assert receipt["status"] == 1
    return w3.eth.contract(address=receipt["contractAddress"], abi=ARTIFACT["abi"])

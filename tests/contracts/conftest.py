"""Fixtures for the contract tests: an embedded chain, a deployed registry, signers and revert decoding."""

from __future__ import annotations

import ast
import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from eth_abi import decode as abi_decode
from eth_account import Account
from eth_account.datastructures import SignedMessage
from eth_tester.exceptions import TransactionFailed
from eth_utils import function_signature_to_4byte_selector, keccak
from web3 import EthereumTesterProvider, Web3
from web3.contract import Contract
from web3.exceptions import ContractLogicError

from dataledger.ledger.chain.artifacts import ContractArtifact, load_artifact

REGISTRAR_ROLE = keccak(text="REGISTRAR_ROLE")
DEFAULT_ADMIN_ROLE = b"\x00" * 32
DOMAIN_NAME = "DataLedger DataRightsRegistry"
DOMAIN_VERSION = "2"
REGISTRATION_TYPE = [
    {"name": "holder", "type": "address"},
    {"name": "contentHash", "type": "bytes32"},
    {"name": "metadataHash", "type": "bytes32"},
    {"name": "right", "type": "uint8"},
    {"name": "lawfulSourceHash", "type": "bytes32"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint256"},
]
EIP712_DOMAIN_TYPE = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
# Far enough ahead of the embedded chain's clock that time travel to it is always forward.
DEADLINE_HORIZON = 10**6
RESOURCE_HOLDING, PROCESSING_AND_USE, PRODUCT_OPERATION = 0, 1, 2
LAWFUL_SOURCE = keccak(text="lawful source statement")


@dataclass(frozen=True)
class Signer:
    """A funded account of the embedded chain and its private key."""

    address: str
    private_key: bytes


@dataclass(frozen=True)
class Actors:
    """Named accounts: who deploys, who holds the registrar role, a holder, a relayer and a stranger."""

    admin: Signer
    registrar: Signer
    holder: Signer
    other_holder: Signer
    relayer: Signer
    stranger: Signer


@dataclass(frozen=True)
class Registration:
    """The arguments of one ``register`` call, signature included."""

    holder: str
    content_hash: bytes
    metadata_hash: bytes
    right: int
    lawful_source_hash: bytes
    nonce: int
    deadline: int
    signature: bytes

    def args(self) -> tuple[Any, ...]:
        return (
            self.holder,
            self.content_hash,
            self.metadata_hash,
            self.right,
            self.lawful_source_hash,
            self.nonce,
            self.deadline,
            self.signature,
        )


def h(label: str) -> bytes:
    """A distinct, readable 32-byte hash for test data."""
    return keccak(text=label)


@pytest.fixture(scope="session")
def registry_artifact() -> ContractArtifact:
    return load_artifact("DataRightsRegistry")


@pytest.fixture(scope="module")
def chain() -> EthereumTesterProvider:
    """An embedded chain for the module's tests: each test runs on a snapshot of it (``isolated``),
    so contracts a module deploys once are there for every test and no test sees another's acts."""
    return EthereumTesterProvider()


@pytest.fixture(autouse=True)
def isolated(chain: EthereumTesterProvider) -> Iterator[None]:
    """The chain as the test found it once the test ends (the module's deployments stay)."""
    snapshot = chain.ethereum_tester.take_snapshot()
    yield
    chain.ethereum_tester.revert_to_snapshot(snapshot)


@pytest.fixture(scope="module")
def w3(chain: EthereumTesterProvider) -> Web3:
    return Web3(chain)


@pytest.fixture(scope="module")
def actors(chain: EthereumTesterProvider, w3: Web3) -> Actors:
    keys = chain.ethereum_tester.backend.account_keys
    signers = []
    for key in keys[:6]:
        key_bytes = bytes.fromhex(str(key).removeprefix("0x"))
        signers.append(Signer(Account.from_key(key_bytes).address, key_bytes))
    assert [s.address for s in signers] == w3.eth.accounts[:6]
    return Actors(*signers)


def deploy_registry(w3: Web3, artifact: ContractArtifact, admin: str, registrar: str) -> Contract:
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    tx_hash = factory.constructor(admin, registrar).transact({"from": admin})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
    assert receipt.status == 1
    return w3.eth.contract(address=receipt.contractAddress, abi=artifact.abi)


@pytest.fixture(scope="module")
def registry(w3: Web3, registry_artifact: ContractArtifact, actors: Actors) -> Contract:
    return deploy_registry(w3, registry_artifact, actors.admin.address, actors.registrar.address)


@pytest.fixture(scope="module")
def deployed_for_reads(registry_artifact: ContractArtifact) -> Contract:
    """A registry on its own chain, shared by a module's tests that only call pure or view functions."""
    w3 = Web3(EthereumTesterProvider())
    admin = w3.eth.accounts[0]
    return deploy_registry(w3, registry_artifact, admin, admin)


@pytest.fixture
def now(w3: Web3) -> int:
    """The timestamp the next transaction will see."""
    return w3.eth.get_block("pending").timestamp


def set_next_timestamp(chain: EthereumTesterProvider, timestamp: int) -> None:
    """Make the next block, and calls against it, run at ``timestamp``."""
    chain.ethereum_tester.time_travel(timestamp)


def typed_registration(
    registry: Contract,
    holder: str,
    content_hash: bytes,
    metadata_hash: bytes,
    nonce: int,
    deadline: int,
    right: int = RESOURCE_HOLDING,
    lawful_source_hash: bytes = LAWFUL_SOURCE,
) -> dict[str, Any]:
    """The full EIP-712 message a holder signs to authorise a registration, built independently."""
    return {
        "types": {"EIP712Domain": EIP712_DOMAIN_TYPE, "Registration": REGISTRATION_TYPE},
        "primaryType": "Registration",
        "domain": {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": registry.w3.eth.chain_id,
            "verifyingContract": registry.address,
        },
        "message": {
            "holder": holder,
            "contentHash": content_hash,
            "metadataHash": metadata_hash,
            "right": right,
            "lawfulSourceHash": lawful_source_hash,
            "nonce": nonce,
            "deadline": deadline,
        },
    }


def sign_typed(private_key: bytes, message: dict[str, Any]) -> SignedMessage:
    return Account.sign_typed_data(private_key, full_message=message)


@pytest.fixture
def authorise(registry: Contract, now: int):
    """Build a signed ``Registration``; ``signer`` defaults to the holder, the nonce to the current one."""

    def build(
        holder: Signer,
        content_hash: bytes,
        metadata_hash: bytes,
        *,
        nonce: int | None = None,
        deadline: int | None = None,
        signer: Signer | None = None,
        holder_address: str | None = None,
        right: int = RESOURCE_HOLDING,
        lawful_source_hash: bytes = LAWFUL_SOURCE,
    ) -> Registration:
        address = holder.address if holder_address is None else holder_address
        nonce = registry.functions.nonces(address).call() if nonce is None else nonce
        deadline = now + DEADLINE_HORIZON if deadline is None else deadline
        message = typed_registration(
            registry, address, content_hash, metadata_hash, nonce, deadline, right, lawful_source_hash
        )
        signature = sign_typed((signer or holder).private_key, message).signature
        return Registration(
            address, content_hash, metadata_hash, right, lawful_source_hash, nonce, deadline, bytes(signature)
        )

    return build


def transact(w3: Web3, function: Any, sender: str) -> Any:
    """Send ``function`` from ``sender`` and return its mined, successful receipt."""
    receipt = w3.eth.wait_for_transaction_receipt(function.transact({"from": sender}))
    assert receipt.status == 1
    return receipt


def _revert_data(exc: BaseException) -> bytes:
    # web3 raises ContractCustomError carrying hex revert data for JSON-RPC backends; on the embedded
    # chain web3 8 lets eth-tester's TransactionFailed through, its message ending in the repr of the
    # revert bytes (web3's own eth-tester defaults decode panics the same way).
    if isinstance(exc, ContractLogicError) and isinstance(exc.data, str):
        return bytes.fromhex(exc.data.removeprefix("0x"))
    message = str(exc.args[0]) if exc.args else ""
    prefix = "execution reverted: "
    if message.startswith(prefix):
        with contextlib.suppress(ValueError, SyntaxError):
            data = ast.literal_eval(message.removeprefix(prefix))
            if isinstance(data, bytes):
                return data
    raise AssertionError(f"no revert data in {exc!r}") from exc


def decode_custom_error(abi: Any, data: bytes) -> tuple[str, tuple[Any, ...]]:
    """(name, arguments) of the custom error in ``abi`` whose selector starts ``data``."""
    for entry in abi:
        if entry["type"] != "error":
            continue
        types = [i["type"] for i in entry["inputs"]]
        if function_signature_to_4byte_selector(f"{entry['name']}({','.join(types)})") == data[:4]:
            return entry["name"], tuple(abi_decode(types, data[4:]))
    raise AssertionError(f"revert data 0x{data.hex()} matches no custom error of the ABI")


@contextlib.contextmanager
def reverts_with(contract: Contract, name: str, *args: Any) -> Iterator[None]:
    """Assert the block reverts with the custom error ``name(args)`` of ``contract``'s ABI."""
    with pytest.raises((ContractLogicError, TransactionFailed)) as excinfo:
        yield
    decoded = decode_custom_error(contract.abi, _revert_data(excinfo.value))
    expected = (name, tuple(_normalise(a) for a in args))
    assert (decoded[0], tuple(_normalise(a) for a in decoded[1])) == expected


def _normalise(value: Any) -> Any:
    # eth_abi decodes addresses as lower-case hex; compare them case-insensitively.
    return value.lower() if isinstance(value, str) and value.startswith("0x") else value


# -- a registrar's signed acts --------------------------------------------------------------------------

# Each registrar act's EIP-712 struct, built here independently of the application's code: the
# contract function, its primary type and the fields its arguments fill (before the nonce and deadline).
REGISTRAR_ACTS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "recordReview": (
        "Review",
        [("assetId", "bytes32"), ("stage", "uint8"), ("passed", "bool"), ("reasonHash", "bytes32")],
    ),
    "rejectApplication": ("Rejection", [("assetId", "bytes32"), ("reasonHash", "bytes32")]),
    "resolveObjection": (
        "ObjectionResolution",
        [("objectionId", "uint256"), ("upheld", "bool"), ("resolutionHash", "bytes32")],
    ),
    "recordCertificate": (
        "Certificate",
        [("assetId", "bytes32"), ("certificateHash", "bytes32"), ("validUntil", "uint64")],
    ),
    "renewCertificate": (
        "Renewal",
        [("assetId", "bytes32"), ("certificateHash", "bytes32"), ("validUntil", "uint64")],
    ),
    "revoke": ("Revocation", [("assetId", "bytes32"), ("reasonHash", "bytes32")]),
}


def registrar_typed_data(
    registry: Contract, function: str, registrar: str, args: tuple[Any, ...], nonce: int, deadline: int
) -> dict[str, Any]:
    """The EIP-712 message a registrar signs to authorise ``function(*args)`` on ``registry``."""
    primary, fields = REGISTRAR_ACTS[function]
    members = [("registrar", "address"), *fields, ("nonce", "uint256"), ("deadline", "uint256")]
    values = [registrar, *args, nonce, deadline]
    return {
        "types": {
            "EIP712Domain": EIP712_DOMAIN_TYPE,
            primary: [{"name": name, "type": kind} for name, kind in members],
        },
        "primaryType": primary,
        "domain": {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": registry.w3.eth.chain_id,
            "verifyingContract": registry.address,
        },
        "message": {name: value for (name, _), value in zip(members, values, strict=True)},
    }


def by_registrar(
    registrar: Signer,
    registry: Contract,
    function: str,
    *args: Any,
    signer: Signer | None = None,
    nonce: int | None = None,
    deadline: int | None = None,
    typed: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> Any:
    """``registry.functions.<function>(*args, authorisation)``: the act of ``registrar``, signed by
    ``signer`` (the registrar by default; another key to forge it), with its current nonce and a far
    deadline unless given; ``typed`` may alter the message before it is signed (another act's type)."""
    nonce = registry.functions.nonces(registrar.address).call() if nonce is None else nonce
    if deadline is None:
        deadline = registry.w3.eth.get_block("pending").timestamp + DEADLINE_HORIZON
    message = registrar_typed_data(registry, function, registrar.address, args, nonce, deadline)
    if typed is not None:
        message = typed(message)
    signature = bytes(sign_typed((signer or registrar).private_key, message).signature)
    authorisation = (registrar.address, nonce, deadline, signature)
    return getattr(registry.functions, function)(*args, authorisation)


def pledge_call(registry: Contract, asset_id: bytes, holder: Any, pledgee: Any, deadline: int) -> Any:
    """``pledge`` of ``asset_id`` to ``pledgee``, signed by both: the holder's ``Pledge`` and the
    pledgee's ``PledgeAcceptance`` of the same terms (RMB 5m until ``deadline`` + a year)."""
    from dataledger.registry.holder_signatures import Eip712Domain, act_authorisation, sign_act

    domain = Eip712Domain(registry.w3.eth.chain_id, registry.address)
    terms = {
        "termsHash": "0x" + h("terms").hex(),
        "securedAmount": 500_000_000,
        "currency": "CNY",
        "maturity": deadline + 365 * 86400,
        "valuationHash": "0x" + h("valuation").hex(),
    }
    asset = "0x" + asset_id.hex()

    def party(primary: str, signer: Any, **fields: Any) -> tuple[int, int, bytes]:
        nonce = registry.functions.nonces(signer.address).call()
        auth = act_authorisation(primary, signer.address, **fields, **terms, nonce=nonce, deadline=deadline)
        key = signer.key if hasattr(signer, "key") else signer.private_key
        return nonce, deadline, bytes.fromhex(sign_act(key, auth, domain)[2:])

    by_holder = party("Pledge", holder, assetId=asset, pledgee=pledgee.address)
    by_pledgee = party("PledgeAcceptance", pledgee, assetId=asset, holder=holder.address)
    on_chain_terms = (
        pledgee.address,
        h("terms"),
        terms["securedAmount"],
        terms["currency"],
        terms["maturity"],
        h("valuation"),
    )
    return registry.functions.pledge(asset_id, on_chain_terms, by_holder, by_pledgee)

"""The off-chain ``DeliveryUse``: the fast digest is the EIP-712 digest a wallet signs, recovery is as
strict as OpenZeppelin's, and each use leaf is what a contract would rebuild."""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_account import Account
from hypothesis import given, settings
from hypothesis import strategies as st

from dataledger.registry.delivery.uses import DeliveryUse, require_use_signature, use_leaf
from dataledger.registry.errors import InvalidSignature, SignatureExpired, ValidationFailed
from dataledger.registry.holder_signatures import licence_domain, sign_typed_data
from dataledger.registry.keccak import keccak256

DOMAIN = licence_domain(31337, "0x" + "1d" * 20)
KEY = Account.create()


def a_use(**overrides: object) -> DeliveryUse:
    values: dict[str, object] = {
        "licence_id": 7,
        "consumer": KEY.address,
        "request_hash": "0x" + "9f" * 32,
        "use_nonce": "0x" + "6a" * 32,
        "deadline": 2_000_000_000,
    }
    return DeliveryUse(**(values | overrides))  # type: ignore[arg-type]


@settings(max_examples=25, deadline=None)
@given(
    licence_id=st.integers(1, 2**64),
    nonce=st.binary(min_size=32, max_size=32).filter(any),
    deadline=st.integers(0, 2**63),
)
def test_a_wallet_signature_of_the_typed_data_recovers_to_the_consumer(
    licence_id: int, nonce: bytes, deadline: int
) -> None:
    use = a_use(licence_id=licence_id, use_nonce="0x" + nonce.hex(), deadline=deadline)
    signature = sign_typed_data(KEY.key, use.typed_data(DOMAIN))
    assert require_use_signature(use, DOMAIN, signature, now=deadline) == use.use_id(DOMAIN)


def test_another_key_an_expired_deadline_or_a_malformed_signature_is_refused() -> None:
    use = a_use()
    with pytest.raises(InvalidSignature):
        require_use_signature(
            use, DOMAIN, sign_typed_data(Account.create().key, use.typed_data(DOMAIN)), now=0
        )
    with pytest.raises(SignatureExpired):
        require_use_signature(
            use, DOMAIN, sign_typed_data(KEY.key, use.typed_data(DOMAIN)), now=use.deadline + 1
        )
    with pytest.raises(InvalidSignature):
        require_use_signature(use, DOMAIN, "0x1234", now=0)


def test_the_same_use_in_another_licence_registry_has_another_id() -> None:
    other = licence_domain(31337, "0x" + "2e" * 20)
    assert a_use().use_id(DOMAIN) != a_use().use_id(other)


def test_zero_hashes_and_bad_addresses_are_refused() -> None:
    with pytest.raises(ValidationFailed):
        a_use(use_nonce="0x" + "00" * 32)
    with pytest.raises(ValidationFailed):
        a_use(consumer="not an address")
    with pytest.raises(ValidationFailed):
        a_use(licence_id=0)


def test_a_use_leaf_is_the_double_keccak_of_its_abi_encoding() -> None:
    use_id = a_use().use_id(DOMAIN)
    encoded = encode(["uint256", "address", "bytes32"], [7, KEY.address, bytes.fromhex(use_id[2:])])
    assert use_leaf(7, KEY.address, use_id) == keccak256(keccak256(encoded))

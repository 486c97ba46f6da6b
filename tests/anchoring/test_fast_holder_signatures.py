"""The bulk path's EIP-712 digest and signer recovery agree with eth_account; as strict as the contract."""

from __future__ import annotations

from dataclasses import replace

import pytest
from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_typed_data
from eth_utils import keccak as eth_utils_keccak
from hypothesis import given, settings
from hypothesis import strategies as st

from dataledger.registry import keccak as keccak_module
from dataledger.registry.assets import AssetFacts, RightClaimed, asset_id_for, metadata_commitment
from dataledger.registry.batched_registrations import (
    BATCH_NONCE_FLAG,
    asset_id_bytes,
    authorisation_for,
    batch_nonce_index,
    batched_nonce,
    metadata_commitment_of_canonical,
    registration_leaf,
    registration_leaf_preimage,
    signed_fields_for,
)
from dataledger.registry.canonical import canonical_json
from dataledger.registry.errors import InvalidSignature, SignatureExpired, ValidationFailed
from dataledger.registry.fast_holder_signatures import (
    RegistrationDigester,
    domain_separator,
    recover_signer,
    registration_message,
    registration_struct_hash,
    require_holder_signature_fast,
    sign_registration_fast,
)
from dataledger.registry.holder_signatures import (
    Eip712Domain,
    RegistrationAuthorisation,
    recover_registration_signer,
    sign_registration,
)

_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
DOMAIN = Eip712Domain(chain_id=31337, verifying_contract="0x5FbDB2315678afecb367f032d93F642f64180aa3")

keys = st.integers(min_value=1, max_value=_N - 1).map(lambda k: k.to_bytes(32, "big"))
hashes = st.binary(min_size=32, max_size=32).map(lambda b: "0x" + b.hex())
nonces = st.one_of(st.integers(0, 2**64), st.integers(0, 2**63 - 1).map(batched_nonce))
domains = st.builds(
    Eip712Domain,
    chain_id=st.integers(1, 2**64),
    verifying_contract=st.binary(min_size=20, max_size=20).map(lambda b: Account.create().address),
)


rights = st.sampled_from(list(RightClaimed))


@settings(max_examples=60, deadline=None)
@given(keys, hashes, hashes, nonces, st.integers(0, 2**40), domains, rights, hashes)
def test_fast_digest_and_recovery_agree_with_eth_account(
    key: bytes,
    content: str,
    metadata: str,
    nonce: int,
    deadline: int,
    domain: Eip712Domain,
    right: RightClaimed,
    lawful_source: str,
) -> None:
    holder = Account.from_key(key).address
    auth = RegistrationAuthorisation(
        holder, content, metadata, nonce, deadline, right=right, lawful_source_hash=lawful_source
    )
    digester = RegistrationDigester(domain)
    reference = encode_typed_data(full_message=auth.typed_data(domain))
    assert (domain_separator(domain), registration_struct_hash(auth)) == (reference.header, reference.body)
    assert digester.digest(auth) == _hash_eip191_message(reference)
    assert registration_message(auth) == auth.typed_data(domain)["message"]

    fast_signature = sign_registration_fast(key, auth, digester)
    reference_signature = sign_registration(key, auth, domain)
    assert fast_signature == reference_signature  # both RFC 6979, low s
    assert recover_registration_signer(auth, domain, fast_signature) == auth.holder
    assert (
        "0x" + recover_signer(digester.digest(auth), bytes.fromhex(fast_signature[2:])).hex()
        == auth.holder.lower()
    )
    require_holder_signature_fast(auth, digester, fast_signature, now=deadline)


def test_a_signature_by_another_key_is_refused_naming_both() -> None:
    holder, other = Account.create(), Account.create()
    auth = RegistrationAuthorisation(holder.address, "0x" + "11" * 32, "0x" + "22" * 32, batched_nonce(1), 10)
    signature = sign_registration_fast(bytes(other.key), auth, RegistrationDigester(DOMAIN))
    with pytest.raises(InvalidSignature) as refused:
        require_holder_signature_fast(auth, RegistrationDigester(DOMAIN), signature, now=0)
    assert refused.value.extra == {"expected": holder.address, "signer": other.address}


def test_a_malleable_high_s_signature_is_refused_as_the_contract_would() -> None:
    holder = Account.create()
    auth = RegistrationAuthorisation(holder.address, "0x" + "11" * 32, "0x" + "22" * 32, batched_nonce(1), 10)
    digester = RegistrationDigester(DOMAIN)
    raw = bytes.fromhex(sign_registration_fast(bytes(holder.key), auth, digester)[2:])
    s = int.from_bytes(raw[32:64], "big")
    flipped = raw[:32] + (_N - s).to_bytes(32, "big") + bytes((55 - raw[64],))  # same signer, high s
    with pytest.raises(InvalidSignature, match="malleable"):
        recover_signer(digester.digest(auth), flipped)


@pytest.mark.parametrize("v", [0, 1, 26, 29])
def test_v_other_than_27_or_28_is_refused(v: int) -> None:
    with pytest.raises(InvalidSignature, match="v must be"):
        recover_signer(b"\x01" * 32, b"\x01" * 64 + bytes((v,)))


def test_zero_r_and_short_signatures_are_refused() -> None:
    with pytest.raises(InvalidSignature):
        recover_signer(b"\x01" * 32, bytes(64) + b"\x1b")
    with pytest.raises(InvalidSignature):
        recover_signer(b"\x01" * 32, b"\x01" * 64)


def test_an_expired_deadline_is_refused_before_recovery() -> None:
    auth = RegistrationAuthorisation(Account.create().address, "0x" + "11" * 32, "0x" + "22" * 32, 1, 10)
    with pytest.raises(SignatureExpired):
        require_holder_signature_fast(auth, RegistrationDigester(DOMAIN), "0x" + "00" * 65, now=11)


@given(st.binary(min_size=20, max_size=20), hashes, hashes)
def test_fast_asset_id_equals_the_registry_asset_id(holder: bytes, content: str, metadata: str) -> None:
    address = "0x" + holder.hex()
    assert "0x" + asset_id_bytes(address, content, metadata).hex() == asset_id_for(address, content, metadata)


def test_batched_nonces_carry_bit_255_and_sequential_ones_are_refused() -> None:
    assert batched_nonce(0) == BATCH_NONCE_FLAG
    assert batch_nonce_index(batched_nonce(2**63 - 1)) == 2**63 - 1
    for bad in (0, 1, 2**64, BATCH_NONCE_FLAG - 1, BATCH_NONCE_FLAG + 2**63):
        with pytest.raises(ValidationFailed):
            batch_nonce_index(bad)
    with pytest.raises(ValidationFailed):
        batched_nonce(-1)


def test_the_leaf_commits_to_the_signed_registration_and_the_signature() -> None:
    holder = Account.create()
    auth = RegistrationAuthorisation(holder.address, "0x" + "11" * 32, "0x" + "22" * 32, batched_nonce(3), 99)
    signature = b"\x01" * 65
    preimage = registration_leaf_preimage(registration_struct_hash(auth), signature)
    assert len(preimage) == 3 * 32
    assert registration_leaf(auth, signature) == eth_utils_keccak(eth_utils_keccak(preimage))
    for changed in (
        replace(auth, nonce=batched_nonce(4)),
        replace(auth, deadline=100),
        replace(auth, right=RightClaimed.PRODUCT_OPERATION),
        replace(auth, lawful_source_hash="0x" + "33" * 32),
    ):
        assert registration_leaf(changed, signature) != registration_leaf(auth, signature)
    assert registration_leaf(auth, b"\x02" * 65) != registration_leaf(auth, signature)


@given(st.binary(max_size=300))
def test_the_keccak_backend_agrees_with_eth_utils(data: bytes) -> None:
    assert keccak_module.keccak256(data) == eth_utils_keccak(data)


facts_strategy = st.builds(
    AssetFacts,
    name=st.text(min_size=1, max_size=40).filter(str.strip),
    content_hash=st.binary(min_size=32, max_size=32).filter(any).map(lambda b: "0x" + b.hex()),
    description=st.text(max_size=40),
    scale=st.text(max_size=10),
    right_claimed=rights,
    extra=st.dictionaries(st.text(max_size=5), st.integers(-(2**53) + 1, 2**53 - 1) | st.text(max_size=5)),
)
salts = st.binary(min_size=16, max_size=32).map(lambda b: "0x" + b.hex())


@given(facts_strategy, st.binary(min_size=20, max_size=20), salts)
def test_the_bulk_metadata_commitment_equals_the_registry_one(
    facts: AssetFacts, holder: bytes, salt: str
) -> None:
    address = Account.create().address if not any(holder) else "0x" + holder.hex()
    facts_canonical = canonical_json(facts.as_json())
    assert metadata_commitment_of_canonical(facts_canonical, address, salt) == metadata_commitment(
        facts, address, salt
    )


def test_a_bad_salt_is_refused_by_the_bulk_commitment() -> None:
    with pytest.raises(ValidationFailed):
        metadata_commitment_of_canonical(b"{}", "0x" + "11" * 20, "0x1234")


@given(facts_strategy, hashes, nonces, st.integers(0, 2**40))
def test_the_bulk_signed_fields_hash_like_the_authorisation(
    facts: AssetFacts, metadata: str, nonce: int, deadline: int
) -> None:
    holder = Account.create().address
    assert registration_struct_hash(
        signed_fields_for(holder, facts, metadata, nonce, deadline)
    ) == registration_struct_hash(authorisation_for(holder, facts, metadata, nonce, deadline))

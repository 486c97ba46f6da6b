"""The ``assets.nonce`` column holds direct (sequential) and batched nonces in one signed BIGINT."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dataledger.ledger.sql.store import nonce_column, nonce_of_column
from dataledger.registry.batched_registrations import MAX_BATCH_NONCE_INDEX, batched_nonce

direct_nonces = st.integers(min_value=0, max_value=2**63 - 1)
batched_nonces = st.integers(min_value=0, max_value=MAX_BATCH_NONCE_INDEX).map(batched_nonce)


@given(st.one_of(direct_nonces, batched_nonces))
def test_every_signed_nonce_round_trips_through_a_signed_64_bit_column(nonce: int) -> None:
    stored = nonce_column(nonce)

    assert -(2**63) <= stored <= 2**63 - 1
    assert nonce_of_column(stored) == nonce


@given(direct_nonces, batched_nonces)
def test_direct_nonces_stay_as_they_are_and_batched_ones_go_negative(direct: int, batched: int) -> None:
    assert nonce_column(direct) == direct
    assert nonce_column(batched) < 0

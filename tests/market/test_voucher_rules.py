"""The voucher programme's rules as the service judges them, before the contract does: a redemption is
refused exactly when it is worth nothing, more than the vouchers held, more than the share of the amount
(rounded down, as the contract divides) or more than the enterprise may still redeem this period."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataledger.registry.chain_types import ChainEvidence
from dataledger.registry.errors import ValidationFailed, VoucherBudgetExceeded, VoucherCapExceeded
from dataledger.registry.market.trades import Mandate, MandateStatus
from dataledger.registry.market.vouchers import ProgrammeRules, RegistrationFee, VoucherPurpose

amounts = st.integers(min_value=0, max_value=10**9)


def rules(share_cap_bps: int = 1000, enterprise_cap: int = 100_000_000) -> ProgrammeRules:
    return ProgrammeRules("CNY", 10_000_000_000, share_cap_bps, enterprise_cap, 365 * 86400)


@given(
    share=st.integers(min_value=1, max_value=10_000),
    cap=st.integers(min_value=1, max_value=10**9),
    base=amounts,
    value=amounts,
    balance=amounts,
    spent=amounts,
)
def test_a_redemption_passes_exactly_within_every_cap(
    share: int, cap: int, base: int, value: int, balance: int, spent: int
) -> None:
    programme = rules(share, cap)
    allowed = 0 < value <= balance and value <= base * share // 10_000 and value <= max(cap - spent, 0)
    try:
        programme.check_redemption(base, value, balance, spent)
    except (VoucherBudgetExceeded, VoucherCapExceeded):
        assert not allowed
    else:
        assert allowed


def test_ten_percent_of_a_trade_and_one_million_yuan_per_enterprise() -> None:
    programme = rules(1000, 100_000_000)  # 10 %; ¥1m in fen
    programme.check_redemption(120_000, 12_000, 50_000, 0)
    with pytest.raises(VoucherCapExceeded):
        programme.check_redemption(120_000, 12_001, 50_000, 0)
    with pytest.raises(VoucherCapExceeded):
        programme.check_redemption(10**10, 1, 10**9, 100_000_000)
    with pytest.raises(VoucherBudgetExceeded):
        programme.check_redemption(120_000, 6_000, 5_000, 0)


@pytest.mark.parametrize(
    "bad",
    [
        {"currency": "cny"},
        {"budget": 0},
        {"share_cap_bps": 0},
        {"share_cap_bps": 10_001},
        {"enterprise_cap": 0},
        {"period_seconds": 0},
    ],
)
def test_unacceptable_rules_are_refused_as_the_contract_refuses_them(bad: dict[str, object]) -> None:
    values: dict[str, object] = {
        "currency": "CNY",
        "budget": 1,
        "share_cap_bps": 1000,
        "enterprise_cap": 1,
        "period_seconds": 1,
    }
    with pytest.raises(ValidationFailed):
        ProgrammeRules(**(values | bad))  # type: ignore[arg-type]


def test_purposes_keep_the_contracts_order() -> None:
    assert [p.contract_index for p in VoucherPurpose] == [0, 1]
    assert VoucherPurpose.of_index(1) is VoucherPurpose.REGISTRATION_FEE


# -- a registration fee as a registrar recorded it: valid by construction --------------------------


def recorded_fee(**overrides: object) -> RegistrationFee:
    fields: dict[str, object] = {
        "asset_id": "0x" + "a5" * 32,
        "registrar_id": "registrar-1",
        "registrar_address": "0x" + "C3" * 20,
        "payer_id": "enterprise-1",
        "payer_address": "0x" + "B7" * 20,
        "amount": 5_000,
        "currency": "CNY",
        "recorded_at": datetime(2026, 11, 30, tzinfo=UTC),
        "evidence": ChainEvidence(31337, "0x" + "7d" * 20, "0x" + "01" * 32, 1, 0),
    } | overrides
    return RegistrationFee(**fields)  # type: ignore[arg-type]


def test_a_recorded_fee_is_a_positive_amount_in_an_iso_currency_between_chain_addresses() -> None:
    fee = recorded_fee()
    assert (fee.registrar_address, fee.payer_address) == ("0x" + "c3" * 20, "0x" + "b7" * 20)
    assert fee.as_json()["redeemedIn"] is None and fee.as_json()["amount"] == 5_000
    for bad in ({"amount": 0}, {"currency": "cny"}, {"payer_address": "nobody"}, {"asset_id": "0x12"}):
        with pytest.raises(ValidationFailed):
            recorded_fee(**bad)


def test_a_mandates_status_follows_the_chain_time_it_is_judged_at() -> None:
    evidence = ChainEvidence(31337, "0x" + "7d" * 20, "0x" + "02" * 32, 2, 0)
    granted = Mandate(
        "0x" + "11" * 32, "0x" + "aa" * 20, "0x" + "bb" * 20, 1_000, datetime.now(UTC), evidence
    )
    assert granted.status(1_000) is MandateStatus.IN_FORCE  # in force while validUntil >= block time
    assert granted.status(1_001) is MandateStatus.EXPIRED
    revoked = replace(granted, revoked_at=datetime.now(UTC), revocation_evidence=evidence)
    assert revoked.status(0) is MandateStatus.REVOKED and revoked.as_json(0)["revocation"] is not None
    assert replace(granted, superseded=True).status(0) is MandateStatus.SUPERSEDED
    with pytest.raises(ValidationFailed):  # a revocation carries both its time and its evidence
        replace(granted, revoked_at=datetime.now(UTC))

"""Every custom error of every deployed contract maps to a domain error (the table is complete)."""

from __future__ import annotations

import pytest
from eth_abi import encode

from dataledger.ledger.chain.artifacts import load_artifact
from dataledger.ledger.chain.data_rights_registry import REGISTRY_CONTRACT, decoder_for_all_contracts
from dataledger.ledger.chain.revert_errors import REVERT_ERROR_MAP, RevertDecoder
from dataledger.registry import errors

DEPLOYED_CONTRACTS = [
    REGISTRY_CONTRACT,
    "LicenceRegistry",
    "AnchorRegistry",
    "DataMarket",
    "DataTrades",
    "DataVouchers",
]


@pytest.mark.parametrize("contract", DEPLOYED_CONTRACTS)
def test_every_custom_error_in_the_abi_has_a_domain_mapping(contract: str) -> None:
    names = {e["name"] for e in load_artifact(contract).abi if e["type"] == "error"}
    assert names, "the ABI declares custom errors"
    assert names <= set(REVERT_ERROR_MAP), f"unmapped: {sorted(names - set(REVERT_ERROR_MAP))}"


def test_revert_data_decodes_to_the_domain_error_with_its_arguments() -> None:
    decoder = decoder_for_all_contracts()
    from eth_utils import function_signature_to_4byte_selector

    asset_id = bytes(range(32))
    data = function_signature_to_4byte_selector("DataRightsAssetAlreadyRegistered(bytes32)") + encode(
        ["bytes32"], [asset_id]
    )
    error = decoder.to_domain_error(data)
    assert isinstance(error, errors.AssetAlreadyRegistered)
    assert error.extra == {
        "contract_error": "DataRightsAssetAlreadyRegistered",
        "assetId": "0x" + asset_id.hex(),
    }


def test_unknown_and_string_reverts_become_generic_ledger_errors() -> None:
    decoder = RevertDecoder([])
    assert type(decoder.to_domain_error("0xdeadbeef")) is errors.LedgerError
    reason = bytes.fromhex("08c379a0") + encode(["string"], ["nope"])
    assert "nope" in decoder.to_domain_error(reason).detail
    assert type(decoder.to_domain_error(b"")) is errors.LedgerError

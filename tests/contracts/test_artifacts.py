"""The committed contract artifacts: reproducible from the sources, loadable, and of the agreed ABI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dataledger.ledger.chain.artifacts import load_artifact
from scripts import compile_contracts

COMMITTED = compile_contracts.REPO_ROOT / compile_contracts.ARTIFACTS_DIR
_REAL_COMPILE = compile_contracts.compile_contracts
_COMPILED: dict[str, compile_contracts.Compilation] = {}


def compile_once(root: Path = compile_contracts.REPO_ROOT) -> compile_contracts.Compilation:
    """The compiler, run once per distinct set of sources in a test session (solcjs takes seconds)."""
    sources = compile_contracts.standard_json_input(root)["sources"]
    key = json.dumps({name: source.get("content") for name, source in sources.items()}, sort_keys=True)
    if key not in _COMPILED:
        _COMPILED[key] = _REAL_COMPILE(root)
    return _COMPILED[key]


@pytest.fixture(scope="module")
def solcjs() -> None:
    try:
        compile_contracts.locate_solcjs()
    except compile_contracts.CompilerUnavailable as exc:
        pytest.skip(f"cannot compile the contracts here: {exc}")


@pytest.fixture(scope="module")
def fresh_compile(solcjs: None) -> compile_contracts.Compilation:
    return compile_once()


@pytest.fixture(autouse=True)
def compiled_once_per_session(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compile_contracts, "compile_contracts", compile_once)


@pytest.fixture
def project_copy(tmp_path: Path, solcjs: None) -> Path:
    """A copy of the contract sources and artifacts, sharing the repository's node_modules."""
    root = compile_contracts.REPO_ROOT
    shutil.copytree(root / compile_contracts.CONTRACTS_DIR, tmp_path / compile_contracts.CONTRACTS_DIR)
    shutil.copytree(COMMITTED, tmp_path / compile_contracts.ARTIFACTS_DIR)
    shutil.copy(root / "package.json", tmp_path / "package.json")
    (tmp_path / compile_contracts.NODE_MODULES).symlink_to(root / compile_contracts.NODE_MODULES)
    return tmp_path


def test_fresh_compile_reproduces_the_committed_artifacts_byte_for_byte(fresh_compile):
    committed = {path.name: path.read_bytes() for path in sorted(COMMITTED.glob("*.json"))}

    assert sorted(fresh_compile.artifacts) == sorted(committed)
    for name, content in fresh_compile.artifacts.items():
        assert content == committed[name], f"{name} is stale: run python scripts/compile_contracts.py"


def test_compile_raises_no_compiler_warnings(fresh_compile):
    assert fresh_compile.warnings == ()


def test_check_passes_on_current_artifacts(project_copy, capsys):
    assert compile_contracts.main(["--check", "--root", str(project_copy)]) == 0


def test_check_names_the_stale_artifact_and_the_changed_source(project_copy, capsys):
    source = project_copy / "contracts" / "DataRightsRegistry.sol"
    source.write_text(source.read_text() + "\n// changed\n")
    before = (project_copy / "ledger" / "chain" / "artifacts" / "DataRightsRegistry.json").read_bytes()

    exit_code = compile_contracts.main(["--check", "--root", str(project_copy)])

    assert exit_code == 1
    err = capsys.readouterr().err
    assert "DataRightsRegistry.json is stale: sources changed: contracts/DataRightsRegistry.sol" in err
    assert (
        project_copy / "ledger" / "chain" / "artifacts" / "DataRightsRegistry.json"
    ).read_bytes() == before


def test_check_reports_an_artifact_without_a_contract(project_copy, capsys):
    (project_copy / "ledger" / "chain" / "artifacts" / "Retired.json").write_text("{}\n")

    assert compile_contracts.main(["--check", "--root", str(project_copy)]) == 1
    assert "Retired.json belongs to no contract in contracts/" in capsys.readouterr().err


def test_write_recreates_the_committed_artifacts_and_removes_orphans(project_copy):
    artifacts = project_copy / "ledger" / "chain" / "artifacts"
    (artifacts / "DataRightsRegistry.json").unlink()
    (artifacts / "Retired.json").write_text("{}\n")

    assert compile_contracts.main(["--root", str(project_copy)]) == 0

    assert sorted(p.name for p in artifacts.iterdir()) == sorted(p.name for p in COMMITTED.glob("*.json"))
    assert (artifacts / "DataRightsRegistry.json").read_bytes() == (
        COMMITTED / "DataRightsRegistry.json"
    ).read_bytes()


def test_compile_error_exits_with_the_compiler_message(project_copy, capsys):
    source = project_copy / "contracts" / "DataRightsRegistry.sol"
    source.write_text(source.read_text() + "\ncontract Broken {\n")

    assert compile_contracts.main(["--check", "--root", str(project_copy)]) == 2
    assert "ParserError" in capsys.readouterr().err


def test_artifact_is_canonical_json_with_the_pinned_compiler():
    raw = (COMMITTED / "DataRightsRegistry.json").read_text()
    data = json.loads(raw)

    assert raw == json.dumps(data, indent=2, sort_keys=True) + "\n"
    assert data["compiler"] == {
        "name": "solc",
        "version": "0.8.28+commit.7893614a",
        "settings": {"evmVersion": "cancun", "optimizer": {"enabled": True, "runs": 200}},
    }
    assert "contracts/DataRightsRegistry.sol" in data["sourceHashes"]
    assert "@openzeppelin/contracts/access/AccessControl.sol" in data["sourceHashes"]


def test_load_artifact_returns_abi_and_bytecode():
    artifact = load_artifact("DataRightsRegistry")

    assert artifact.name == "DataRightsRegistry"
    assert artifact.compiler_version == "0.8.28+commit.7893614a"
    for code in (artifact.bytecode, artifact.deployed_bytecode):
        assert code.startswith("0x")
        assert len(bytes.fromhex(code[2:])) > 1000
    # The creation code carries the runtime code after the constructor.
    assert len(artifact.bytecode) > len(artifact.deployed_bytecode)
    assert any(entry.get("name") == "register" for entry in artifact.abi)


def test_load_artifact_of_unknown_contract_raises_file_not_found():
    with pytest.raises(FileNotFoundError, match="NoSuchContract"):
        load_artifact("NoSuchContract")


def _signatures(abi, kind):
    return {f"{e['name']}({','.join(_type(i) for i in e['inputs'])})" for e in abi if e["type"] == kind}


def _type(param):
    if param["type"].startswith("tuple"):
        return "(" + ",".join(_type(c) for c in param["components"]) + ")" + param["type"][len("tuple") :]
    return param["type"]


def test_abi_is_the_agreed_interface():
    abi = load_artifact("DataRightsRegistry").abi

    assert {
        "AssetRegistered(bytes32,address,bytes32,bytes32,uint8,bytes32,uint256,address)",
        "ApplicationReviewed(bytes32,address,uint8,bool,bytes32)",
        "PublicNoticeStarted(bytes32,uint64,uint64,address)",
        "ApplicationRejected(bytes32,address,bytes32)",
        "ObjectionFiled(bytes32,uint256,address,bytes32,bytes32)",
        "ObjectionResolved(bytes32,uint256,address,bool,bytes32)",
        "CertificateRecorded(bytes32,bytes32,address)",
        "CertificateSuperseded(bytes32,bytes32,bytes32,address)",
        "CertificateRenewed(bytes32,bytes32,uint64,address)",
        "AssetChanged(bytes32,address,uint32,bytes32,bytes32,bytes32)",
        "AssetTransferred(bytes32,address,address,bytes32,bytes32)",
        "AssetPledged(bytes32,address,address,bytes32,uint256,string,uint64,bytes32)",
        "PledgeRevalued(bytes32,address,bytes32)",
        "PledgeCertificateRecorded(bytes32,address,bytes32,address)",
        "PledgeReleased(bytes32,address)",
        "PledgeEnforced(bytes32,address,address)",
        "AssetCancelled(bytes32,address)",
        "AssetRevoked(bytes32,address,bytes32)",
        "NoticePeriodChanged(uint64,uint64)",
        "AssetMaterialised(bytes32,bytes32,uint256,uint64,bytes32)",
        "AnchorRegistryChanged(address,address)",
    } <= _signatures(abi, "event")
    assert {
        "DataRightsAssetAlreadyRegistered(bytes32)",
        "DataRightsContentAlreadyRegistered(bytes32,bytes32)",
        "DataRightsAssetNotFound(bytes32)",
        "DataRightsAssetIsRevoked(bytes32)",
        "DataRightsInvalidStatus(bytes32,uint8)",
        "DataRightsInvalidSignature(address)",
        "DataRightsSignatureExpired(uint256,uint256)",
        "DataRightsZeroHolder()",
        "DataRightsZeroHash()",
        "DataRightsCertificateAlreadyRecorded(bytes32)",
        "DataRightsNoticePeriodEnded(bytes32,uint64)",
        "DataRightsNoticePeriodNotEnded(bytes32,uint64)",
        "DataRightsObjectionsOpen(bytes32,uint32)",
        "DataRightsAssetIsPledged(bytes32,address)",
        "DataRightsInvalidPledgeTerms(bytes32,uint64)",
        "DataRightsPledgeCertified(bytes32,bytes32)",
        "InvalidAccountNonce(address,uint256)",
        "AccessControlUnauthorizedAccount(address,bytes32)",
        "DataRightsNoAnchorRegistry()",
        "DataRightsRootNotAnchored(bytes32)",
        "DataRightsInvalidProof(bytes32,bytes32)",
        "DataRightsNotBatchNonce(uint256)",
        "DataRightsAlreadyMaterialised(address,uint256)",
    } <= _signatures(abi, "error")
    assert {
        "register(address,bytes32,bytes32,uint8,bytes32,uint256,uint256,bytes)",
        "materialise((address,bytes32,bytes32,uint8,bytes32,uint256,uint256),bytes,bytes32,bytes32[])",
        "setAnchorRegistry(address)",
        "anchorRegistry()",
        "batchNonceUsed(address,uint256)",
        "recordReview(bytes32,uint8,bool,bytes32,(address,uint256,uint256,bytes))",
        "rejectApplication(bytes32,bytes32,(address,uint256,uint256,bytes))",
        "fileObjection(address,bytes32,bytes32,bytes32,uint256,uint256,bytes)",
        "resolveObjection(uint256,bool,bytes32,(address,uint256,uint256,bytes))",
        "recordCertificate(bytes32,bytes32,uint64,(address,uint256,uint256,bytes))",
        "renewCertificate(bytes32,bytes32,uint64,(address,uint256,uint256,bytes))",
        "changeAsset(bytes32,bytes32,bytes32,uint256,uint256,bytes)",
        "transfer(bytes32,address,uint256,uint256,bytes)",
        "pledge(bytes32,(address,bytes32,uint256,string,uint64,bytes32),(uint256,uint256,bytes),(uint256,uint256,bytes))",
        "revaluePledge(bytes32,bytes32,(uint256,uint256,bytes))",
        "recordPledgeCertificate(bytes32,address,bytes32,(address,uint256,uint256,bytes))",
        "pledgeOf(bytes32)",
        "pledgeCertificateOf(bytes32)",
        "releasePledge(bytes32,uint256,uint256,bytes)",
        "enforcePledge(bytes32,uint256,uint256,bytes)",
        "cancel(bytes32,uint256,uint256,bytes)",
        "setNoticePeriod(uint64)",
        "assetIdFor(address,bytes32,bytes32)",
        "registrationDigest(address,bytes32,bytes32,uint8,bytes32,uint256,uint256)",
        "revoke(bytes32,bytes32,(address,uint256,uint256,bytes))",
        "assetOf(bytes32)",
        "procedureOf(bytes32)",
        "objectionOf(uint256)",
        "objectionCount()",
        "assetOfContent(bytes32)",
        "certificateAsset(bytes32)",
        "certificateOf(bytes32)",
        "noticePeriod()",
        "version()",
        "nonces(address)",
        "REGISTRAR_ROLE()",
        "DEFAULT_ADMIN_ROLE()",
        "eip712Domain()",
        "hasRole(bytes32,address)",
        "grantRole(bytes32,address)",
        "revokeRole(bytes32,address)",
        "renounceRole(bytes32,address)",
        "getRoleAdmin(bytes32)",
        "supportsInterface(bytes4)",
    } == _signatures(abi, "function")
    (asset_of,) = (e for e in abi if e.get("name") == "assetOf")
    assert _type(asset_of["outputs"][0]) == "(address,uint64,uint8,bytes32,bytes32)"
    (procedure_of,) = (e for e in abi if e.get("name") == "procedureOf")
    assert (
        _type(procedure_of["outputs"][0])
        == "(uint8,uint32,uint32,uint32,uint64,uint64,address,bytes32,bytes32)"
    )
    (constructor,) = (e for e in abi if e["type"] == "constructor")
    assert [(i["name"], i["type"]) for i in constructor["inputs"]] == [
        ("admin", "address"),
        ("registrar", "address"),
    ]


def test_licence_registry_abi_is_the_agreed_interface():
    abi = load_artifact("LicenceRegistry").abi

    assert {
        "LicenceGranted(uint256,bytes32,address,address,"
        "(bytes32,address,uint32,uint32,uint64,uint64,bool,bool,bytes32,bytes32,bytes32,uint8))",
        "LicenceUsed(uint256,bytes32,address,uint32,bytes32,bytes32)",
        "LicenceRevoked(uint256,bytes32,address,bytes32)",
        "ConsentGranted(uint256,address,address,bytes32,uint64)",
        "ConsentConsumed(uint256,address,address,bytes32)",
        "ConsentWithdrawn(uint256,address,address)",
        "EIP712DomainChanged()",
        # batches of uses redeemed at a delivery gateway, recorded by its role
        "LicenceUsesRecorded(uint256,bytes32,address,uint32,uint32,bytes32)",
        "RoleAdminChanged(bytes32,bytes32,bytes32)",
        "RoleGranted(bytes32,address,address)",
        "RoleRevoked(bytes32,address,address)",
    } == _signatures(abi, "event")
    assert {
        "grantLicence((bytes32,address,uint32,uint32,uint64,uint64,bool,bool,bytes32,bytes32,bytes32,uint8),"
        "uint256,uint256,bytes)",
        "useLicence(uint256,bytes32,uint256,uint256,bytes)",
        "revokeLicence(uint256,bytes32,uint256,uint256,bytes)",
        "grantConsent(address,address,bytes32,uint64,uint256,uint256,bytes)",
        "consumeConsent(uint256,bytes32,uint256,uint256,bytes)",
        "withdrawConsent(uint256,uint256,uint256,bytes)",
        "licenceOf(uint256)",
        "licenceCount()",
        "consentOf(uint256)",
        "consentCount()",
        "dataRightsRegistry()",
        "version()",
        "nonces(address)",
        "eip712Domain()",
        "recordUses(uint256,uint32,bytes32)",
        "GATEWAY_ROLE()",
        "DEFAULT_ADMIN_ROLE()",
        "getRoleAdmin(bytes32)",
        "grantRole(bytes32,address)",
        "hasRole(bytes32,address)",
        "renounceRole(bytes32,address)",
        "revokeRole(bytes32,address)",
        "supportsInterface(bytes4)",
    } == _signatures(abi, "function")
    assert all(e["name"].startswith("Licence") for e in abi if e["type"] == "error" and e["name"] not in {
        "InvalidAccountNonce", "InvalidShortString", "StringTooLong", "AccessControlUnauthorizedAccount",
        "AccessControlBadConfirmation",
    })  # fmt: skip

import hashlib

from tests.devnet.probe import ARTIFACT, ASSETS


def test_committed_probe_artifact_was_compiled_from_the_committed_source() -> None:
    source = (ASSETS / "DevnetProbe.sol").read_bytes()
    assert hashlib.sha256(source).hexdigest() == ARTIFACT["sourceSha256"]
    assert ARTIFACT["bytecode"].startswith("0x60")

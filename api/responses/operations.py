"""Response shapes of operations: liveness and readiness, and the registrar's public key for offline
verification. (Metrics are Prometheus text, not JSON.)"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from dataledger.api.responses.certificates import REGISTRAR_DID_EXAMPLE
from dataledger.api.responses.common import ADDRESS_EXAMPLE, ChainAddress, Wire, example


class Health(Wire):
    """Whether the database and the chain answer."""

    model_config = example(
        {"status": "ok", "database": True, "chainId": 31337, "blockNumber": 1287, "registry": ADDRESS_EXAMPLE}
    )

    status: Literal["ok", "degraded"] = Field(description="degraded when the database does not answer")
    database: bool = Field(description="Whether the database answers")
    chain_id: int = Field(description="EIP-155 chain id")
    block_number: int = Field(description="The chain's latest block")
    registry: ChainAddress = Field(description="The registry contract's address")


ReadinessCheckName = Literal["database", "chain", "lease", "indexer", "batcher", "checkpoints"]


class ReadinessCheck(Wire):
    """One dependency checked."""

    model_config = example({"ok": True, "detail": "block 1287"})

    ok: bool
    detail: str = Field(description="What was found, or why it is not ready")


class Readiness(Wire):
    """Whether this process can serve: each dependency checked; the reason when one fails (then 503)."""

    model_config = example(
        {
            "status": "ready",
            "reason": None,
            "checks": {
                "database": {"ok": True, "detail": "answers"},
                "chain": {"ok": True, "detail": "block 1287"},
                "lease": {"ok": True, "detail": "held by this process: it runs the background work"},
                "indexer": {"ok": True, "detail": "at block 1287"},
                "batcher": {"ok": True, "detail": "oldest unanchored entry 0.4 s old"},
                "checkpoints": {"ok": True, "detail": "running"},
            },
        }
    )

    status: Literal["ready", "not-ready"]
    reason: str | None = Field(description="The failing checks and why, joined by '; '; null when ready")
    checks: dict[ReadinessCheckName, ReadinessCheck] = Field(
        description="Each check by name (database, chain, lease; indexer, batcher, checkpoints when they run)"
    )


DOMAIN_EXAMPLE: dict[str, Any] = {
    "name": "DataRightsRegistry",
    "version": "1",
    "chainId": 31337,
    "verifyingContract": ADDRESS_EXAMPLE,
}


class Eip712Domain(Wire):
    """The EIP-712 domain of a contract, as signers put it in their typed data."""

    model_config = example(DOMAIN_EXAMPLE)

    name: str
    version: str
    chain_id: int
    verifying_contract: ChainAddress


class RegistryContract(Wire):
    """The registry contract certificates name and holders sign for."""

    model_config = example({"chainId": 31337, "contract": ADDRESS_EXAMPLE, "eip712Domain": DOMAIN_EXAMPLE})

    chain_id: int = Field(description="EIP-155 chain id")
    contract: ChainAddress
    eip712_domain: Eip712Domain


class Registrar(Wire):
    """The registrar's public key and registry: what an offline verifier needs to trust its certificates."""

    model_config = example(
        {
            "name": "Shanghai Data Exchange Registry",
            "did": REGISTRAR_DID_EXAMPLE,
            "verificationMethod": f"{REGISTRAR_DID_EXAMPLE}#{REGISTRAR_DID_EXAMPLE.removeprefix('did:key:')}",
            "publicKeyPem": "-----BEGIN PUBLIC KEY-----\n"
            "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEnY24Y3Yw2cKrmjOYjEchhkQSOXHo33x5y47cFeOW\n"
            "JTTooosVZ2LRFLjEKFioZem9lI1DDjK7I0oI4TR5ObE/5Q==\n"
            "-----END PUBLIC KEY-----\n",
            "registry": {"chainId": 31337, "contract": ADDRESS_EXAMPLE, "eip712Domain": DOMAIN_EXAMPLE},
        }
    )

    name: str
    did: str = Field(description="The registrar's did:key (P-256), the issuer of its certificates")
    verification_method: str = Field(description="The did:key URL of the key that signs certificate proofs")
    public_key_pem: str = Field(description="The same public key as PEM (SubjectPublicKeyInfo)")
    registry: RegistryContract

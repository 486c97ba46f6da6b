"""The registration certificate: a W3C Verifiable Credential 2.0 secured with ``ecdsa-jcs-2019``.

``issue_certificate`` turns :class:`CertificateFacts` into a signed credential (plain JSON);
``parse_certificate`` turns such JSON back into a :class:`Certificate` or refuses it;
``certificate_hash`` is the hash anchored on chain. The Data Integrity cryptosuite itself
(``add_proof``, ``verify_proof``, ``proof_hash_data``) follows W3C "Data Integrity ECDSA Cryptosuites
v1.0", section ``ecdsa-jcs-2019``: the proof configuration (proof options plus the document's
``@context``) and the document without its proof are each canonicalised with JCS (RFC 8785) and hashed
with SHA-256; the 64 bytes ``hash(config) || hash(document)`` are signed with ECDSA P-256/SHA-256 and
the ``r || s`` signature is written as base58-btc multibase.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from dataledger.registry.canonical import MAX_SAFE_INTEGER, sha256_hex
from dataledger.registry.canonical_fast import canonical_json_fast
from dataledger.registry.chain_types import ChainEvidence, require_address, require_hex32
from dataledger.registry.errors import ValidationFailed, VerificationFailed
from dataledger.registry.multibase import multibase_decode, multibase_encode
from dataledger.registry.registrar_keys import DID_KEY_PREFIX, RegistrarKey, RegistrarPublicKey

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
CREDENTIAL_TYPES = ("VerifiableCredential", "DataRightsRegistrationCertificate")
CERTIFICATE_ID_PREFIX = "urn:dataledger:certificate:"
PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "ecdsa-jcs-2019"
PROOF_PURPOSE = "assertionMethod"
#: Name of the verifier check that a failure of :func:`verify_proof` reports.
PROOF_SIGNATURE_CHECK = "proof-signature"

#: A certificate number: ``DIP-YYYYMM-IIIIII-NNNNNN`` (``registry.numbering``), or the ``DLC-YYYY-NNNNNN``
#: of the certificates issued before it, which stay readable and verifiable.
CERTIFICATE_NUMBER = re.compile(r"^(?:DIP-\d{6}-\d{6}-\d{6}|[A-Z]{2,10}-\d{4}-\d{6})$")
#: A registration number's shape (``IIIIII-YYYY-NNNNNNNN-C``); the verifier checks its check character.
REGISTRATION_NUMBER = re.compile(r"^\d{6}-\d{4}-\d{8}-[0-9X]$")
# XML Schema dateTime with a mandatory time zone (VC 2.0 dateTimeStamp).
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$")

#: Asset facts a certificate carries: snake_case name in Python -> camelCase name in the credential.
ASSET_FIELDS: Mapping[str, str] = MappingProxyType(
    {
        "asset_id": "assetId",
        "name": "name",
        "description": "description",
        "source": "source",
        "collection_method": "collectionMethod",
        "scale": "scale",
        "update_frequency": "updateFrequency",
        "industry": "industry",
        "right_claimed": "rightClaimed",
        "content_hash": "contentHash",
        "metadata_hash": "metadataHash",
    }
)
REQUIRED_ASSET_FIELDS = frozenset({"asset_id", "name", "content_hash", "metadata_hash"})
_HASH_FIELDS = frozenset({"asset_id", "content_hash", "metadata_hash"})


# -- dates -----------------------------------------------------------------------------------------


def format_datetime(moment: datetime) -> str:
    """XML Schema dateTimeStamp in UTC with a ``Z`` (microseconds only when present)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_datetime(text: Any, field_name: str) -> datetime:
    """Parse an XML Schema dateTime that carries a time zone; raise :class:`ValidationFailed` otherwise."""
    if not isinstance(text, str) or not _DATETIME.match(text):
        raise ValidationFailed(f"{field_name} must be a date-time with a time zone", field=field_name)
    try:
        return datetime.fromisoformat(text).astimezone(UTC)
    except ValueError:
        raise ValidationFailed(f"{field_name} is not a valid date-time", field=field_name) from None


def _require_aware(moment: Any, field_name: str) -> datetime:
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise ValidationFailed(f"{field_name} must be a time-zone-aware datetime", field=field_name)
    return moment.astimezone(UTC)


def holder_did(chain_id: int, address: str) -> str:
    """CAIP-10 account DID of the holder: ``did:pkh:eip155:<chainId>:<address>``."""
    return f"did:pkh:eip155:{chain_id}:{address}"


# -- facts -----------------------------------------------------------------------------------------


def _require_text(value: Any, field_name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(f"{field_name} must be a non-empty string", field=field_name)
    return value


def _normalise_asset(asset: Any) -> Mapping[str, str | int]:
    if not isinstance(asset, Mapping):
        raise ValidationFailed("asset must be a mapping of asset facts", field="asset")
    unknown = set(asset) - set(ASSET_FIELDS)
    if unknown:
        raise ValidationFailed(f"unknown asset facts: {sorted(unknown)}", field="asset")
    missing = REQUIRED_ASSET_FIELDS - set(asset)
    if missing:
        raise ValidationFailed(f"missing asset facts: {sorted(missing)}", field="asset")
    normalised: dict[str, str | int] = {}
    for name in ASSET_FIELDS:  # a fixed order, so equal facts give equal mappings
        if name not in asset:
            continue
        value = asset[name]
        if name not in REQUIRED_ASSET_FIELDS and (value is None or value == ""):
            continue  # an optional fact left empty is not stated at all
        if name in _HASH_FIELDS:
            normalised[name] = require_hex32(value, name)
        elif name == "scale" and isinstance(value, int) and not isinstance(value, bool):
            if not 0 <= value <= MAX_SAFE_INTEGER:
                raise ValidationFailed("scale must be a non-negative JSON-safe integer", field=name)
            normalised[name] = value
        else:
            normalised[name] = _require_text(value, name)
    return MappingProxyType(normalised)


@dataclass(frozen=True, slots=True, kw_only=True)
class CertificateFacts:
    """Everything a registration certificate states, valid by construction.

    ``asset`` takes snake_case keys (see :data:`ASSET_FIELDS`); ``asset_id``, ``name``,
    ``content_hash`` and ``metadata_hash`` are required; optional facts given as ``None`` or ``""`` are
    left out. Times are stored in UTC.
    """

    certificate_number: str
    asset: Mapping[str, str | int]
    holder_address: str
    holder_name: str
    evidence: ChainEvidence
    issued_at: datetime
    registrar_name: str
    valid_until: datetime | None = None
    #: The asset's registration number (``IIIIII-YYYY-NNNNNNNN-C``); ``None`` on certificates of assets
    #: registered before registration numbers, which leave ``registrationNumber`` out.
    registration_number: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.certificate_number, str) or not CERTIFICATE_NUMBER.match(
            self.certificate_number
        ):
            raise ValidationFailed(
                "certificate number must look like DIP-202611-460100-000001", field="certificate_number"
            )
        if self.registration_number is not None and (
            not isinstance(self.registration_number, str)
            or not REGISTRATION_NUMBER.match(self.registration_number)
        ):
            # The shape only: a wrong check character is the verifier's ``format`` check to report.
            raise ValidationFailed(
                "registration number must look like 460100-2026-00000042-3", field="registration_number"
            )
        object.__setattr__(self, "asset", _normalise_asset(self.asset))
        require_address(self.holder_address, "holder_address")
        _require_text(self.holder_name, "holder_name")
        _require_text(self.registrar_name, "registrar_name")
        if not isinstance(self.evidence, ChainEvidence):
            raise ValidationFailed("evidence must be ChainEvidence", field="evidence")
        issued_at = _require_aware(self.issued_at, "issued_at")
        object.__setattr__(self, "issued_at", issued_at)
        if self.valid_until is not None:
            valid_until = _require_aware(self.valid_until, "valid_until")
            if valid_until <= issued_at:
                raise ValidationFailed("valid_until must be after issued_at", field="valid_until")
            object.__setattr__(self, "valid_until", valid_until)

    @property
    def asset_id(self) -> str:
        return str(self.asset["asset_id"])

    @property
    def content_hash(self) -> str:
        return str(self.asset["content_hash"])

    @property
    def metadata_hash(self) -> str:
        return str(self.asset["metadata_hash"])

    @property
    def certificate_id(self) -> str:
        return CERTIFICATE_ID_PREFIX + self.certificate_number


# -- the Data Integrity cryptosuite ecdsa-jcs-2019 -------------------------------------------------


def proof_hash_data(proof_config: Mapping[str, Any], document: Mapping[str, Any]) -> bytes:
    """``SHA-256(JCS(proof_config)) || SHA-256(JCS(document))``: the 64 bytes that get signed.

    Canonicalised by ``canonical_json_fast`` (RFC 8785 bytes, a property test holds it to the
    reference): on a verifier's hot path the reference implementation cost more than the signature.
    """
    return (
        hashlib.sha256(canonical_json_fast(_as_dict(proof_config))).digest()
        + hashlib.sha256(canonical_json_fast(_as_dict(document))).digest()
    )


def _as_dict(value: Mapping[str, Any]) -> dict[str, Any]:
    # Canonicalisation takes plain dicts; the verifier already builds fresh ones, no need to copy.
    return value if type(value) is dict else dict(value)


def add_proof(
    document: Mapping[str, Any],
    key: RegistrarKey,
    *,
    created: datetime,
    proof_purpose: str = PROOF_PURPOSE,
) -> dict[str, Any]:
    """Return a copy of ``document`` secured with an ``ecdsa-jcs-2019`` DataIntegrityProof."""
    if "proof" in document:
        raise ValidationFailed("the document already has a proof; proof sets are not supported")
    unsecured = copy.deepcopy(dict(document))
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": format_datetime(_require_aware(created, "created")),
        "verificationMethod": key.verification_method_id,
        "proofPurpose": proof_purpose,
    }
    if "@context" in unsecured:  # the suite binds the proof to the document's context
        proof["@context"] = copy.deepcopy(unsecured["@context"])
    proof["proofValue"] = multibase_encode(key.sign(proof_hash_data(proof, unsecured)))
    return {**unsecured, "proof": proof}


def _context_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def verify_proof(
    secured: Mapping[str, Any],
    public_key: RegistrarPublicKey,
    *,
    expected_purpose: str = PROOF_PURPOSE,
) -> None:
    """Verify the ``ecdsa-jcs-2019`` proof of ``secured`` with ``public_key``.

    Returns None when the proof holds; raises ``VerificationFailed(check="proof-signature")``
    saying why when it does not (its ``reason``: ``signature.no_proof``, ``.suite``, ``.value``,
    ``.context``, ``.canonical`` or ``.bad``). Which key to use (and whether to trust it) is the
    caller's business.
    """

    def fail(detail: str, reason: str) -> VerificationFailed:
        return VerificationFailed(detail, check=PROOF_SIGNATURE_CHECK, reason=f"signature.{reason}")

    proof = secured.get("proof") if isinstance(secured, Mapping) else None
    if not isinstance(proof, Mapping):
        raise fail("the document has no single proof object", "no_proof")
    if proof.get("type") != PROOF_TYPE:
        raise fail(f"proof type must be {PROOF_TYPE}", "suite")
    if proof.get("cryptosuite") != CRYPTOSUITE:
        raise fail(f"cryptosuite must be {CRYPTOSUITE}", "suite")
    if proof.get("proofPurpose") != expected_purpose:
        raise fail(f"proof purpose must be {expected_purpose}", "suite")
    try:
        signature = multibase_decode(proof.get("proofValue"))
    except ValidationFailed:
        raise fail("proofValue is not base58-btc multibase", "value") from None
    options = {name: value for name, value in proof.items() if name != "proofValue"}
    unsecured = {name: value for name, value in secured.items() if name != "proof"}
    if "@context" in options:
        # The spec lets contexts be appended to the document after signing, never changed.
        proof_context = _context_list(options["@context"])
        if _context_list(unsecured.get("@context"))[: len(proof_context)] != proof_context:
            raise fail("the document @context does not start with the proof @context", "context")
        unsecured["@context"] = options["@context"]
    try:
        hash_data = proof_hash_data(options, unsecured)
    except ValidationFailed as exc:
        raise fail(f"the document cannot be canonicalised: {exc.detail}", "canonical") from None
    if not public_key.verify(hash_data, signature):
        raise fail("the signature does not verify", "bad")


# -- issuing ---------------------------------------------------------------------------------------


def _unsigned_credential(facts: CertificateFacts, issuer_did: str) -> dict[str, Any]:
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT],
        "id": facts.certificate_id,
        "type": list(CREDENTIAL_TYPES),
        "issuer": {"id": issuer_did, "name": facts.registrar_name},
        "validFrom": format_datetime(facts.issued_at),
    }
    if facts.valid_until is not None:
        credential["validUntil"] = format_datetime(facts.valid_until)
    credential["credentialSubject"] = {
        "id": holder_did(facts.evidence.chain_id, facts.holder_address),
        "certificateNumber": facts.certificate_number,
        "holder": {"address": facts.holder_address, "name": facts.holder_name},
        "asset": {ASSET_FIELDS[name]: value for name, value in facts.asset.items()},
        "chainEvidence": facts.evidence.as_json(),
    }
    if facts.registration_number is not None:
        credential["credentialSubject"]["registrationNumber"] = facts.registration_number
    return credential


def issue_certificate(
    facts: CertificateFacts, key: RegistrarKey, *, created: datetime | None = None
) -> dict[str, Any]:
    """The signed certificate as Verifiable Credential JSON.

    The proof's ``created`` defaults to ``facts.issued_at``; with a deterministic signature the same
    facts and key always give the same credential, hence the same :func:`certificate_hash`.
    """
    unsigned = _unsigned_credential(facts, key.did)
    return add_proof(unsigned, key, created=facts.issued_at if created is None else created)


def certificate_hash(vc: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of the whole signed credential (0x-hex): what is anchored on chain."""
    return sha256_hex(canonical_json_fast(dict(vc)))


# -- parsing ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Certificate:
    """A well-formed certificate read back from its credential JSON (not yet verified)."""

    facts: CertificateFacts
    issuer_did: str
    verification_method: str
    proof_created: datetime

    @property
    def number(self) -> str:
        return self.facts.certificate_number

    @property
    def asset_id(self) -> str:
        return self.facts.asset_id

    @property
    def holder_address(self) -> str:
        return self.facts.holder_address

    @property
    def holder_name(self) -> str:
        return self.facts.holder_name

    @property
    def evidence(self) -> ChainEvidence:
        return self.facts.evidence

    @property
    def content_hash(self) -> str:
        return self.facts.content_hash

    @property
    def metadata_hash(self) -> str:
        return self.facts.metadata_hash

    @property
    def valid_from(self) -> datetime:
        return self.facts.issued_at

    @property
    def valid_until(self) -> datetime | None:
        return self.facts.valid_until

    @property
    def registration_number(self) -> str | None:
        return self.facts.registration_number

    @property
    def issuer_name(self) -> str:
        return self.facts.registrar_name


def _get(obj: Mapping[str, Any], name: str, path: str, kind: type | tuple[type, ...]) -> Any:
    if name not in obj:
        raise ValidationFailed(f"{path} is required", field=path)
    value = obj[name]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValidationFailed(f"{path} has the wrong type", field=path)
    return value


def _get_int(obj: Mapping[str, Any], name: str, path: str) -> int:
    value = _get(obj, name, path, int)
    if not 0 <= value <= MAX_SAFE_INTEGER:
        raise ValidationFailed(f"{path} must be a non-negative JSON-safe integer", field=path)
    return int(value)


def parse_certificate(vc: Any) -> Certificate:
    """Read a certificate credential; raise :class:`ValidationFailed` if it is not well formed.

    Checks shape, types, formats and internal consistency, not the proof: unknown members are
    tolerated here because the signature covers them.
    """
    if not isinstance(vc, Mapping):
        raise ValidationFailed("a certificate is a JSON object")
    if vc.get("@context") != [VC_V2_CONTEXT]:
        raise ValidationFailed(f"@context must be exactly [{VC_V2_CONTEXT!r}]", field="@context")
    types = _get(vc, "type", "type", list)
    if not all(name in types for name in CREDENTIAL_TYPES):
        raise ValidationFailed(f"type must include {list(CREDENTIAL_TYPES)}", field="type")
    credential_id = _get(vc, "id", "id", str)
    issuer = _get(vc, "issuer", "issuer", Mapping)
    issuer_did = _get(issuer, "id", "issuer.id", str)
    if not issuer_did.startswith(DID_KEY_PREFIX) or "#" in issuer_did:
        raise ValidationFailed("issuer.id must be a did:key", field="issuer.id")
    registrar_name = _get(issuer, "name", "issuer.name", str)
    valid_from = parse_datetime(_get(vc, "validFrom", "validFrom", str), "validFrom")
    valid_until = parse_datetime(vc["validUntil"], "validUntil") if "validUntil" in vc else None

    subject = _get(vc, "credentialSubject", "credentialSubject", Mapping)
    subject_id = _get(subject, "id", "credentialSubject.id", str)
    number = _get(subject, "certificateNumber", "credentialSubject.certificateNumber", str)
    registration_number = (
        _get(subject, "registrationNumber", "credentialSubject.registrationNumber", str)
        if "registrationNumber" in subject
        else None
    )
    holder = _get(subject, "holder", "credentialSubject.holder", Mapping)
    holder_address = _get(holder, "address", "credentialSubject.holder.address", str)
    holder_name = _get(holder, "name", "credentialSubject.holder.name", str)
    asset_json = _get(subject, "asset", "credentialSubject.asset", Mapping)
    asset: dict[str, Any] = {}
    for name, json_name in ASSET_FIELDS.items():
        if json_name in asset_json:
            kind = (str, int) if name == "scale" else str
            asset[name] = _get(asset_json, json_name, f"credentialSubject.asset.{json_name}", kind)
    chain = _get(subject, "chainEvidence", "credentialSubject.chainEvidence", Mapping)
    prefix = "credentialSubject.chainEvidence"
    evidence = ChainEvidence(
        chain_id=_get_int(chain, "chainId", f"{prefix}.chainId"),
        contract=_get(chain, "contract", f"{prefix}.contract", str),
        tx_hash=_get(chain, "txHash", f"{prefix}.txHash", str),
        block_number=_get_int(chain, "blockNumber", f"{prefix}.blockNumber"),
        log_index=_get_int(chain, "logIndex", f"{prefix}.logIndex"),
    )

    proof = _get(vc, "proof", "proof", Mapping)
    for name in ("type", "cryptosuite", "proofPurpose"):
        _get(proof, name, f"proof.{name}", str)
    verification_method = _get(proof, "verificationMethod", "proof.verificationMethod", str)
    proof_created = parse_datetime(_get(proof, "created", "proof.created", str), "proof.created")
    _get(proof, "proofValue", "proof.proofValue", str)

    facts = CertificateFacts(
        certificate_number=number,
        asset=asset,
        holder_address=holder_address,
        holder_name=holder_name,
        evidence=evidence,
        issued_at=valid_from,
        valid_until=valid_until,
        registrar_name=registrar_name,
        registration_number=registration_number,
    )
    if credential_id != facts.certificate_id:
        raise ValidationFailed("id must be the URN of the certificate number", field="id")
    if subject_id != holder_did(evidence.chain_id, holder_address):
        raise ValidationFailed(
            "credentialSubject.id must be the holder's did:pkh on the evidence chain",
            field="credentialSubject.id",
        )
    return Certificate(
        facts=facts,
        issuer_did=issuer_did,
        verification_method=verification_method,
        proof_created=proof_created,
    )

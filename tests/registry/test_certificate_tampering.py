"""Every alteration of a signed certificate is caught, by the check that owns the altered part.

The issued credential is walked: every leaf is changed in a format-preserving way ("tamper": the last
digit, or the last letter, moves on by one) and by appending a character ("append"); every member and
list element is removed; a member is added to every object and an element to every list. The
expected check for each path is stated below, so the table doubles as the specification:

* signed content → ``proof-signature``;
* members whose format or cross-references ``parse_certificate`` checks → ``structure``;
* who signed (``issuer.id``, ``proof.verificationMethod``) → ``issuer-trusted``.
"""

from __future__ import annotations

import copy
import fnmatch
import string
from collections.abc import Iterator
from typing import Any

import pytest

from dataledger.registry.certificate_verifier import CertificateVerifier
from tests.registry.certificate_factories import during_validity, registrar_key, signed_certificate

Path = tuple[str | int, ...]

STRUCTURE, FORMAT, ISSUER, SIGNATURE = "structure", "format", "issuer-trusted", "proof-signature"

VC = signed_certificate(
    certificate_number="DIP-202603-460100-000042", registration_number="460100-2026-00000042-3"
)
VERIFIER = CertificateVerifier([registrar_key().public_key], clock=during_validity)

# Values checked for format or consistency when the certificate is parsed.
FORMAT_BOUND = [
    "@context.*",
    "id",
    "type.*",
    "validFrom",
    "validUntil",
    "credentialSubject.id",
    "credentialSubject.certificateNumber",
    "credentialSubject.registrationNumber",
    "credentialSubject.holder.address",
    "credentialSubject.asset.assetId",
    "credentialSubject.asset.contentHash",
    "credentialSubject.asset.metadataHash",
    "credentialSubject.chainEvidence.chainId",
    "credentialSubject.chainEvidence.contract",
    "credentialSubject.chainEvidence.txHash",
    "proof.created",
]
# Of those, the ones whose format-preserving change still breaks a cross-reference or a fixed value.
TAMPER_BREAKS_STRUCTURE = [
    "@context.*",
    "id",  # must be the URN of the certificate number
    "type.*",
    "credentialSubject.id",  # must be the holder's did:pkh on the evidence chain
    "credentialSubject.certificateNumber",  # must match id
    "credentialSubject.holder.address",  # must match credentialSubject.id
    "credentialSubject.chainEvidence.chainId",  # must match credentialSubject.id
]
# A registration number changed in one digit keeps its shape; its check character no longer matches.
TAMPER_BREAKS_FORMAT = ["credentialSubject.registrationNumber"]
SIGNER = ["issuer.id", "proof.verificationMethod"]
OPTIONAL = [
    "validUntil",
    "credentialSubject.registrationNumber",  # certificates from before registration numbers have none
    "credentialSubject.asset.description",
    "credentialSubject.asset.source",
    "credentialSubject.asset.collectionMethod",
    "credentialSubject.asset.scale",
    "credentialSubject.asset.updateFrequency",
    "credentialSubject.asset.industry",
    "credentialSubject.asset.rightClaimed",
    "proof.@context",
    "proof.@context.*",
]


def _dotted(path: Path) -> str:
    return ".".join(str(part) for part in path)


def _matches(path: Path, patterns: list[str]) -> bool:
    dotted = ".".join("*" if isinstance(part, int) else part for part in path)
    return any(fnmatch.fnmatchcase(dotted, pattern) for pattern in patterns)


def _walk(node: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    yield path, node
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from _walk(child, (*path, key))


LEAVES = [path for path, node in _walk(VC) if not isinstance(node, dict | list)]
MEMBERS = [path for path, _ in _walk(VC) if path]
CONTAINERS = [path for path, node in _walk(VC) if isinstance(node, dict | list)]


def _parent(document: Any, path: Path) -> Any:
    for part in path[:-1]:
        document = document[part]
    return document


def _tamper(value: str | int) -> str | int:
    if isinstance(value, int):
        return value + 1
    for index in range(len(value) - 1, -1, -1):
        char = value[index]
        if char.isdigit():
            return value[:index] + str((int(char) + 1) % 10) + value[index + 1 :]
    for index in range(len(value) - 1, -1, -1):
        char = value[index]
        if char in string.ascii_letters:
            alphabet = string.ascii_lowercase if char.islower() else string.ascii_uppercase
            return value[:index] + alphabet[(alphabet.index(char) + 1) % 26] + value[index + 1 :]
    return value + "x"


def _failed_check(document: dict[str, Any]) -> str | None:
    return VERIFIER.verify(document).failed_check


def test_the_untouched_certificate_verifies() -> None:
    assert _failed_check(copy.deepcopy(VC)) is None


def test_the_walk_covers_the_whole_certificate() -> None:
    assert len(LEAVES) >= 35
    assert ("proof", "proofValue") in LEAVES
    assert ("credentialSubject", "chainEvidence", "logIndex") in LEAVES


@pytest.mark.parametrize("path", LEAVES, ids=_dotted)
def test_tampering_with_any_leaf_fails(path: Path) -> None:
    altered = copy.deepcopy(VC)
    parent = _parent(altered, path)
    parent[path[-1]] = _tamper(parent[path[-1]])
    assert parent[path[-1]] != _parent(VC, path)[path[-1]]
    if _matches(path, SIGNER):
        expected = ISSUER
    elif _matches(path, TAMPER_BREAKS_STRUCTURE):
        expected = STRUCTURE
    elif _matches(path, TAMPER_BREAKS_FORMAT):
        expected = FORMAT
    else:
        expected = SIGNATURE
    assert _failed_check(altered) == expected


@pytest.mark.parametrize("path", [p for p in LEAVES if isinstance(_parent(VC, p)[p[-1]], str)], ids=_dotted)
def test_appending_a_character_to_any_string_fails(path: Path) -> None:
    altered = copy.deepcopy(VC)
    _parent(altered, path)[path[-1]] += "x"
    if _matches(path, SIGNER):
        expected = ISSUER
    elif _matches(path, FORMAT_BOUND):
        expected = STRUCTURE
    else:
        expected = SIGNATURE
    assert _failed_check(altered) == expected


@pytest.mark.parametrize("path", MEMBERS, ids=_dotted)
def test_removing_any_member_fails(path: Path) -> None:
    altered = copy.deepcopy(VC)
    del _parent(altered, path)[path[-1]]
    expected = SIGNATURE if _matches(path, OPTIONAL) else STRUCTURE
    assert _failed_check(altered) == expected


@pytest.mark.parametrize("path", CONTAINERS, ids=lambda path: _dotted(path) or "<root>")
def test_adding_a_member_or_element_anywhere_fails(path: Path) -> None:
    altered = copy.deepcopy(VC)
    container = altered
    for part in path:
        container = container[part]
    if isinstance(container, dict):
        container["addedByAttacker"] = "x"
    else:
        container.append("https://example.org/added/v1")
    # The certificate's @context is fixed; everything else is extensible but signed.
    expected = STRUCTURE if path == ("@context",) else SIGNATURE
    assert _failed_check(altered) == expected


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("credentialSubject", "chainEvidence", "blockNumber"), "42"),
        (("credentialSubject", "asset", "scale"), "1250000"),
        (("credentialSubject", "holder"), "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
        (("proof",), [{"type": "DataIntegrityProof"}]),
        (("issuer",), "did:key:zDnaevMX1JraCB7KMuxD65rx5mfdmJ4xi9dm6f9dKf86hHsVk"),
    ],
    ids=_dotted,
)
def test_changing_a_json_type_fails(path: Path, value: Any) -> None:
    altered = copy.deepcopy(VC)
    _parent(altered, path)[path[-1]] = value
    # scale may be text or a number, so only the signature notices that one.
    expected = SIGNATURE if path[-1] == "scale" else STRUCTURE
    assert _failed_check(altered) == expected

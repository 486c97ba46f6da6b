"""The delivery request a data subject's consent is consumed for, and its hash.

A consent (``LicenceRegistry.grantConsent``) lets one enterprise make one query of the subject's data;
the enterprise consumes it on chain with ``consumeConsent(consentId, requestHash, ...)``. At the
delivery gateway that query is one GET of the holder's API, and ``requestHash`` must be the hash of
exactly that GET, so a consent consumed for one request fetches nothing else:

    requestHash = keccak256(RFC 8785 JSON of {
        "type": "ConsentDeliveryRequest",
        "assetId": <the asset, 0x-hex, lower case>,
        "subject": <the consent's data subject, 0x address, lower case>,
        "path": <the path under the holder's API: segments joined by "/", no leading or trailing "/">,
        "query": <the query string exactly as sent, without "?"; "" when none>,
    })

The gateway recomputes it from the asset of the use, the subject of the consent (as the chain holds it)
and the path and query the enterprise asks for, and refuses (``consent-request-mismatch``) anything
else. The SDK computes it with :func:`consent_request_hash` before the enterprise signs its
``ConsentUse``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dataledger.registry.canonical_fast import canonical_json_fast
from dataledger.registry.chain_types import require_address, require_hex32
from dataledger.registry.errors import ValidationFailed
from dataledger.registry.keccak import keccak256

CONSENT_REQUEST_TYPE = "ConsentDeliveryRequest"
MAX_QUERY_CHARS = 2000


def api_path(path: str) -> str:
    """``path`` as the gateway forwards it under the holder's API: its non-empty segments joined by
    "/"; a segment "." or ".." (stepping out of the API) is refused."""
    segments = [s for s in path.split("/") if s]
    if any(s in (".", "..") for s in segments):
        raise ValidationFailed("the path may not step out of the holder's API", field="path")
    return "/".join(segments)


@dataclass(frozen=True, slots=True)
class ConsentRequest:
    """One GET of the holder's API for the record of ``subject`` in asset ``asset_id``."""

    asset_id: str
    subject: str
    path: str
    query: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "asset_id", require_hex32(self.asset_id, "assetId"))
        object.__setattr__(self, "subject", require_address(self.subject, "subject").lower())
        object.__setattr__(self, "path", api_path(self.path))
        query = self.query.removeprefix("?")
        if len(query) > MAX_QUERY_CHARS or "#" in query:
            raise ValidationFailed(
                f"the query must be at most {MAX_QUERY_CHARS} characters, without a fragment", field="query"
            )
        object.__setattr__(self, "query", query)

    def payload(self) -> dict[str, Any]:
        return {
            "type": CONSENT_REQUEST_TYPE,
            "assetId": self.asset_id,
            "subject": self.subject,
            "path": self.path,
            "query": self.query,
        }

    def request_hash(self) -> str:
        """``keccak256`` of the request's canonical JSON, as 0x-hex: the ``requestHash`` to consume the
        consent with."""
        return "0x" + keccak256(canonical_json_fast(self.payload())).hex()


def consent_request_hash(asset_id: str, subject: str, path: str, query: str = "") -> str:
    """The ``requestHash`` binding a consumed consent to one GET of ``path?query`` of the holder's API
    for ``subject``'s record in ``asset_id``."""
    return ConsentRequest(asset_id, subject, path, query).request_hash()

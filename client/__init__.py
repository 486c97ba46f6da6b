"""The Python SDK of dataledger: typed, sync and async on httpx; keys never leave the caller.

    from dataledger.client import Client, LocalKeySigner

    with Client("http://127.0.0.1:8000", api_key=key) as client:
        asset = client.assets.register("sales.csv", {"name": "Sales 2025"}, signer=LocalKeySigner(pk))
        client.procedure.review(asset.asset_id, "formal", reason="complete")

Every holder-signed act is prepared by the server, checked here (the message names what the caller
asked for, on the contract the caller expects), signed here, then relayed: one call.
"""

from dataledger.client._async.client import AsyncClient
from dataledger.client._sync.client import Client
from dataledger.client.errors import (
    ApiError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    UnexpectedMessage,
    ValidationError,
)
from dataledger.client.hashing import hash_path
from dataledger.client.signers import ExternalSigner, KeystoreSigner, LocalKeySigner, Signer

__all__ = [
    "ApiError",
    "AsyncClient",
    "AuthenticationError",
    "Client",
    "ConflictError",
    "ExternalSigner",
    "KeystoreSigner",
    "LocalKeySigner",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitedError",
    "ServerError",
    "Signer",
    "UnexpectedMessage",
    "ValidationError",
    "hash_path",
]

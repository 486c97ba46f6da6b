"""The one typed settings object of dataledger (pydantic-settings; environment prefix DATALEDGER_).

Built once, in the composition root or the CLI, never at import time. ``rpc_url=None`` means the
embedded persistent chain in ``data_dir``; ``database_url=None`` means a SQLite file in ``data_dir``.
Development defaults for secrets are refused in any other environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, HttpUrl, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from dataledger.registry.errors import ConfigurationError
from dataledger.registry.numbering import DEFAULT_INSTITUTION_CODE

DEV_ADMIN_API_KEY = "dev-admin-key"
# First account of the standard development mnemonic: prefunded on the devnet and anvil.
DEV_OPERATOR_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DATALEDGER_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path(".dataledger")
    rpc_url: str | None = None
    database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    chain_id: int = 31337
    admin_api_key: SecretStr = SecretStr(DEV_ADMIN_API_KEY)
    operator_private_key: SecretStr = SecretStr(DEV_OPERATOR_KEY)
    registrar_key_file: Path | None = None
    registrar_name: str = "DataLedger Registrar"
    # The registration institution's six-digit code in certificate and registration numbers
    # (DATALEDGER_INSTITUTION_CODE; by convention its administrative division code). One per registry,
    # not per registrar participant: the registrars who sign acts are staff of the one institution that
    # runs this registry, and its serials must not fork by who happened to sign (see registry.numbering).
    institution_code: str = Field(default=DEFAULT_INSTITUTION_CODE, pattern=r"^[0-9]{6}$")
    receipt_timeout_s: float = 30.0
    confirmations: int = 0
    indexer_poll_s: float = 1.0
    # Batch anchoring: a batch closes at batch_max_leaves entries or when its oldest entry is
    # batch_max_delay_s old (DATALEDGER_BATCH_MAX_LEAVES, DATALEDGER_BATCH_MAX_DELAY_S). The contract
    # takes a uint32 leaf count.
    batch_max_leaves: int = Field(default=1_000, ge=1, le=2**32 - 1)
    batch_max_delay_s: float = Field(default=1.0, ge=0)
    # Request bodies, bounded before they are read (DATALEDGER_MAX_BODY_BYTES...): an act is small; an
    # EPCIS document or a bulk registration (up to 5,000 signed items) may be large.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_document_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    max_json_depth: int = Field(default=64, ge=8, le=1000)
    # Requests without credentials, per client address: a bucket of public_burst refilled at
    # public_rate_per_s (DATALEDGER_PUBLIC_RATE_PER_S, DATALEDGER_PUBLIC_BURST).
    public_rate_per_s: float = Field(default=50.0, gt=0)
    public_burst: int = Field(default=200, ge=1)
    # Where people reach this registry (DATALEDGER_PUBLIC_URL, e.g. https://registry.example.cn/): the base
    # of every link the portal hands out to outlive the request (QR codes, PDF certificates, resolver
    # answers), so a certificate printed behind a proxy still leads back. Unset: the request's own host.
    public_url: HttpUrl | None = None
    # Browser origins allowed to call the API (CORS), e.g. ["https://portal.example"]; none by default.
    cors_origins: list[str] = Field(default_factory=list)
    # Log lines as JSON objects with the request id ("json"), or plain text ("text").
    log_format: Literal["json", "text"] = "json"
    # The append-only log: checkpoints signed with an Ed25519 key (a PEM file, created in the data
    # directory when not given) under a C2SP origin line, issued every checkpoint_interval_s (0: only
    # when asked), their roots anchored on chain.
    log_origin: str | None = None
    log_key_name: str = "dataledger-log"
    log_key_file: Path | None = None
    checkpoint_interval_s: float = Field(default=60.0, ge=0)
    # Several processes on one PostgreSQL database: the one holding the lease runs the background work
    # (anchoring, indexing, checkpoints, recovery); the others ask for it every lease_retry_s seconds,
    # so one of them takes over that long after the holder dies (DATALEDGER_LEASE_RETRY_S).
    lease_retry_s: float = Field(default=2.0, gt=0)
    # The delivery gateway: a redeemed use may be fetched (and resumed) for delivery_window_s seconds;
    # licence terms and the chain's clock are cached delivery_cache_s seconds (the count of uses never
    # is); deposits hold at most delivery_max_deposit_bytes; receipts are signed with an Ed25519 key (a
    # PEM file, created in the data directory when not given).
    delivery_window_s: int = Field(default=600, ge=1)
    delivery_cache_s: float = Field(default=2.0, ge=0)
    delivery_max_deposit_bytes: int = Field(default=64 * 1024**3, ge=1)
    delivery_key_file: Path | None = None
    # The gateway's batched uses are recorded on chain every delivery_record_interval_s seconds.
    delivery_record_interval_s: float = Field(default=2.0, gt=0)
    # A holder's API on a loopback, private or link-local address is refused (the server would fetch
    # it: an internal service must not become reachable through the gateway); development may allow it.
    delivery_private_upstreams: bool = False

    @field_validator("public_url")
    @classmethod
    def _public_url_is_a_base(cls, url: HttpUrl | None) -> HttpUrl | None:
        if url is not None and (url.query or url.fragment):
            raise ValueError("DATALEDGER_PUBLIC_URL is a base URL: no query, no fragment")
        return url

    @model_validator(mode="after")
    def _refuse_development_secrets(self) -> Settings:
        if self.environment == "production":
            if self.admin_api_key.get_secret_value() == DEV_ADMIN_API_KEY:
                raise ConfigurationError("set DATALEDGER_ADMIN_API_KEY: the development admin key is public")
            if self.operator_private_key.get_secret_value() == DEV_OPERATOR_KEY:
                raise ConfigurationError("set DATALEDGER_OPERATOR_PRIVATE_KEY: the development key is public")
            if self.registrar_key_file is None:
                raise ConfigurationError(
                    "set DATALEDGER_REGISTRAR_KEY_FILE: production needs a registrar key"
                )
        return self

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'dataledger.db').resolve()}"

    @property
    def chain_dir(self) -> Path:
        return self.data_dir / "chain"

    @property
    def effective_registrar_key_file(self) -> Path:
        return self.registrar_key_file or self.data_dir / "registrar-key.pem"

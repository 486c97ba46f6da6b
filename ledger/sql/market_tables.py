"""SQL tables of the market: listings (with their asset's standing and their search text), the signed
reports they were listed with, and licence template versions."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from dataledger.ledger.sql.tables import utcnow


class MarketListingRow(SQLModel, table=True):
    """A listing. ``asset_state``, ``asset_holder`` and ``asset_pledgee`` are the store's copy of where
    its asset stands, kept in step with ``assets`` and ``pledges`` by triggers (see
    ``ledger.sql.market_store``); ``suspension`` is the reason the last read from the chain found, if any.
    Addresses are lower case."""

    __tablename__ = "market_listings"
    __table_args__ = (
        Index("ix_market_listings_visible_listed_at", "status", "listed_at"),
        Index("ix_market_listings_price", "status", "price_minor"),
    )

    seq: int | None = Field(default=None, primary_key=True)
    listing_id: str = Field(max_length=66, unique=True)
    asset_id: str = Field(max_length=66, index=True)
    exchange_id: str = Field(max_length=36, index=True)
    exchange_name: str = Field(max_length=200)
    lister: str = Field(max_length=42)
    content_json: str
    title: str = Field(max_length=120)
    category: str = Field(max_length=60, index=True)
    industry: str = Field(max_length=60, index=True)
    product_form: str = Field(max_length=12, index=True)
    price_minor: int = Field(sa_type=BigInteger)
    currency: str = Field(max_length=3)
    report_id: str = Field(max_length=120)
    report_hash: str = Field(max_length=66, unique=True)
    terms_hash: str = Field(max_length=66)
    content_hash: str = Field(max_length=66)
    certificate_number: str | None = Field(default=None, max_length=40)
    pledgee_consented: str | None = Field(default=None, max_length=42)
    status: str = Field(default="listed", max_length=12)  # listed | delisted
    suspension: str | None = None
    asset_state: str = Field(max_length=20)
    asset_holder: str = Field(max_length=42)
    asset_pledgee: str | None = Field(default=None, max_length=42)
    listed_at: datetime = Field(default_factory=utcnow)
    chain_id: int = Field(sa_type=BigInteger)
    contract: str = Field(max_length=42)
    tx_hash: str = Field(max_length=66)
    block_number: int = Field(sa_type=BigInteger)
    log_index: int
    delisting_reason: str | None = None
    delisted_at: datetime | None = None
    delisting_tx_hash: str | None = Field(default=None, max_length=66)
    delisting_block_number: int | None = Field(default=None, sa_type=BigInteger)
    delisting_log_index: int | None = None


class MarketCatalogueRow(SQLModel, table=True):
    """The catalogue's slim copy of a listing: what a search filters, counts and sorts by, one small
    row per listing (so counting thousands of matches touches few pages), and whether it is visible.

    ``visible`` follows the listing (a trigger on ``market_listings``). On PostgreSQL the search texts
    live here, under their trigram and array indexes; on SQLite they are in the FTS5 tables."""

    __tablename__ = "market_catalogue"

    # Covers a browse (no text): its facets are counted, and its price range checked, off this index
    # alone; a category, product form or exchange is a set of cells.
    __table_args__ = (Index("ix_market_catalogue_visible_cell_price", "visible", "cell", "price_minor"),)

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    visible: bool = Field(default=True)
    cell: int  # market_facet_cells: its (category, product form, exchange), what the facets count by
    category: str = Field(max_length=60)
    industry: str = Field(max_length=60)
    product_form: str = Field(max_length=12)
    exchange_id: str = Field(max_length=36)
    exchange_name: str = Field(max_length=200)
    price_minor: int = Field(sa_type=BigInteger)
    title: str = Field(max_length=120)  # normalised (NFKC, lower case)
    search_text: str | None = None  # normalised; PostgreSQL only
    search_words: str | None = None  # catalogue_search.word_line(search_text); PostgreSQL only
    title_words: str | None = None  # catalogue_search.word_line(title); PostgreSQL only
    short_terms: str | None = None  # space separated; PostgreSQL only


class MarketFacetCellRow(SQLModel, table=True):
    """One combination of category, product form and exchange: the facets count matches per cell (a
    GROUP BY over one small integer), then add the cells up per category, form and exchange."""

    __tablename__ = "market_facet_cells"
    __table_args__ = (UniqueConstraint("category", "product_form", "exchange_id"),)

    cell: int | None = Field(default=None, primary_key=True)
    category: str = Field(max_length=60)
    product_form: str = Field(max_length=12)
    exchange_id: str = Field(max_length=36)
    exchange_name: str = Field(max_length=200)


class MarketAssetCatalogueRow(SQLModel, table=True):
    """A certified asset as the catalogue finds it: its public facts only (name, right claimed, holder).
    Kept by triggers on ``assets``: a row while the asset is certified, none otherwise."""

    __tablename__ = "market_asset_catalogue"

    seq: int | None = Field(default=None, primary_key=True)
    asset_id: str = Field(max_length=66, unique=True)
    name: str = Field(max_length=200)
    right_claimed: str = Field(max_length=40)
    holder_address: str = Field(max_length=42)


class MarketReportRow(SQLModel, table=True):
    """The signed listing verification report a listing was made with, as the registrar signed it."""

    __tablename__ = "market_listing_reports"

    report_hash: str = Field(primary_key=True, max_length=66)
    listing_id: str = Field(max_length=66, unique=True)
    report_json: str
    stored_at: datetime = Field(default_factory=utcnow)


class LicenceTemplateRow(SQLModel, table=True):
    """One version of a licence template; versions are only ever added."""

    __tablename__ = "licence_templates"

    template_id: str = Field(primary_key=True, max_length=36)
    version: int = Field(primary_key=True)
    exchange_id: str = Field(max_length=36, index=True)
    name: str = Field(max_length=120)
    terms_json: str
    terms_hash: str = Field(max_length=66)
    created_at: datetime = Field(default_factory=utcnow)


class MarketDemandRow(SQLModel, table=True):
    """A published demand: what data, for what purpose, budget and deadline; closed with a response."""

    __tablename__ = "market_demands"

    seq: int | None = Field(default=None, primary_key=True)
    demand_id: str = Field(max_length=36, unique=True)
    publisher_id: str = Field(max_length=36, index=True)
    publisher_name: str = Field(max_length=200)
    title: str = Field(max_length=120)
    description: str
    purpose: str
    category: str = Field(max_length=60)
    budget_minor: int | None = Field(default=None, sa_type=BigInteger)
    budget_currency: str | None = Field(default=None, max_length=3)
    deadline: datetime
    status: str = Field(default="open", max_length=12, index=True)  # open | closed
    chosen_response_id: str | None = Field(default=None, max_length=36)
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class MarketDemandResponseRow(SQLModel, table=True):
    """A holder's response to a demand with one of its listings (one response per listing)."""

    __tablename__ = "market_demand_responses"
    __table_args__ = (UniqueConstraint("demand_id", "listing_id"),)

    response_id: str = Field(primary_key=True, max_length=36)
    demand_id: str = Field(max_length=36, index=True)
    listing_id: str = Field(max_length=66)
    responder_id: str = Field(max_length=36)
    note: str = ""
    created_at: datetime = Field(default_factory=utcnow)


LISTINGS = MarketListingRow.__table__  # type: ignore[attr-defined]  # sqlmodel does not declare __table__
REPORTS = MarketReportRow.__table__  # type: ignore[attr-defined]
TEMPLATES = LicenceTemplateRow.__table__  # type: ignore[attr-defined]
CATALOGUE = MarketCatalogueRow.__table__  # type: ignore[attr-defined]
CELLS = MarketFacetCellRow.__table__  # type: ignore[attr-defined]
DEMANDS = MarketDemandRow.__table__  # type: ignore[attr-defined]
RESPONSES = MarketDemandResponseRow.__table__  # type: ignore[attr-defined]
MARKET_TABLES = (
    MarketListingRow.__table__,  # type: ignore[attr-defined]  # sqlmodel does not declare __table__
    MarketReportRow.__table__,  # type: ignore[attr-defined]
    MarketCatalogueRow.__table__,  # type: ignore[attr-defined]
    LicenceTemplateRow.__table__,  # type: ignore[attr-defined]
)


def aware(value: datetime | str) -> datetime:
    """A stored time as an aware UTC datetime (SQLite hands raw SQL ISO text and naive times)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)

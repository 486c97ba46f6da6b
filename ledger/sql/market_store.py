"""The SQL side of the market: licence template versions, listings with their reports, the catalogue.

Works on the database of :class:`ledger.sql.store.SqlStore`. Besides its tables it sets up, once:

- the catalogue's search structures (read by ``ledger.sql.catalogue_search``): ``market_catalogue``,
  one slim row per listing (facet cell, price, normalised title, ``visible``), and
  ``market_facet_cells``; on SQLite FTS5 tables whose rowid is the listing's ``seq``
  (``market_listing_text``, tokenizer ``trigram``, its titles alone in ``market_listing_titles``;
  ``market_listing_words``, tokenizer ``unicode61``, its titles alone in ``market_listing_title_words``;
  and ``market_listing_terms`` over the short terms); on PostgreSQL the ``pg_trgm`` extension and
  one GIN index over the search text, the title, their words (generated columns ``search_words``,
  ``title_words``; trigrams) and the array of short terms;
- triggers that keep each listing's copy of its asset's standing in step with the store's own
  records: an asset's state or holder changes (a revocation, a transfer, an enforcement) in
  ``assets``, a pledge starts or ends in ``pledges``; and a trigger that keeps the catalogue entry's
  ``visible`` in step with its listing. Whatever service records those acts, in the same transaction
  the listings of the asset follow, and the catalogue hides a listing whose asset no longer allows
  it, without any code of the market in the path.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from dataledger.ledger.sql.catalogue_search import (
    WORD_TOKENIZER,
    FacetCells,
    search,
    word_line,
)
from dataledger.ledger.sql.market_tables import (
    CATALOGUE,
    DEMANDS,
    LISTINGS,
    MARKET_TABLES,
    REPORTS,
    RESPONSES,
    TEMPLATES,
    aware,
)
from dataledger.ledger.sql.personal_data import deposited_personal_data, lock_asset
from dataledger.registry.chain_types import ChainEvidence
from dataledger.registry.errors import (
    AlreadyExists,
    ConfigurationError,
    DemandClosed,
    DemandNotFound,
    LicenceTemplateNotFound,
    ListingNotFound,
    PersonalDataDeclarationMismatch,
)
from dataledger.registry.market.catalogue import CataloguePage, CatalogueQuery, normalise, short_terms
from dataledger.registry.market.demands import Budget, Demand, DemandResponse, DemandStatus
from dataledger.registry.market.licence_templates import LicenceTemplate, LicenceTerms
from dataledger.registry.market.listings import AssetStanding, Listing, ListingContent, ListingStatus

# Whether a listing shows in the catalogue, as SQL over its row (NEW.…): listed, not found suspended by
# a read from the chain, and its asset certified, still the lister's, pledged to nobody who did not consent.
_VISIBLE = (
    "COALESCE(NEW.status = 'listed' AND NEW.suspension IS NULL AND NEW.asset_state = 'certified'"
    " AND NEW.asset_holder = NEW.lister"
    " AND (NEW.asset_pledgee IS NULL OR NEW.asset_pledgee = NEW.pledgee_consented), FALSE)"
)
_FOLLOWED = "status, suspension, asset_state, asset_holder, asset_pledgee"
# The browse index (see MarketCatalogueRow) on databases made before it held the price.
_BROWSE_INDEX = (
    "CREATE INDEX IF NOT EXISTS ix_market_catalogue_visible_cell_price"
    " ON market_catalogue (visible, cell, price_minor)",
    "DROP INDEX IF EXISTS ix_market_catalogue_visible_cell",
)
_SQLITE_SCHEMA = (
    *_BROWSE_INDEX,
    "CREATE VIRTUAL TABLE IF NOT EXISTS market_listing_text USING fts5(title, body, tokenize='trigram')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS market_listing_terms USING fts5(terms, tokenize='unicode61')",
    # The titles alone: the first relevance tier of a search whose text is in few titles is found here
    # without reading every match of the whole text (an FTS5 column filter does read them all).
    "CREATE VIRTUAL TABLE IF NOT EXISTS market_listing_titles USING fts5(title, tokenize='trigram')",
    "INSERT INTO market_listing_titles (rowid, title) SELECT seq, title FROM market_catalogue"
    " WHERE NOT EXISTS (SELECT 1 FROM market_listing_titles) AND seq IS NOT NULL",
    # The words of the text and of the titles alone, for word terms (a prefix of a word): a posting list
    # per word instead of a trigram phrase. A database made before them fills them once from the others.
    "CREATE VIRTUAL TABLE IF NOT EXISTS market_listing_words USING fts5(title, body,"
    f" tokenize='{WORD_TOKENIZER}')",
    "INSERT INTO market_listing_words (rowid, title, body) SELECT rowid, title, body FROM market_listing_text"
    " WHERE NOT EXISTS (SELECT 1 FROM market_listing_words)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS market_listing_title_words USING fts5(title,"
    f" tokenize='{WORD_TOKENIZER}')",
    "INSERT INTO market_listing_title_words (rowid, title) SELECT seq, title FROM market_catalogue"
    " WHERE NOT EXISTS (SELECT 1 FROM market_listing_title_words) AND seq IS NOT NULL",
    """CREATE TRIGGER IF NOT EXISTS market_listings_follow_asset
       AFTER UPDATE OF state, holder_address ON assets
       BEGIN
         UPDATE market_listings SET asset_state = NEW.state, asset_holder = lower(NEW.holder_address)
          WHERE asset_id = NEW.asset_id;
       END""",
    """CREATE TRIGGER IF NOT EXISTS market_listings_follow_new_pledge
       AFTER INSERT ON pledges WHEN NEW.status = 'active'
       BEGIN
         UPDATE market_listings SET asset_pledgee = lower(NEW.pledgee_address) WHERE asset_id = NEW.asset_id;
       END""",
    """CREATE TRIGGER IF NOT EXISTS market_listings_follow_pledge_end
       AFTER UPDATE OF status ON pledges WHEN NEW.status != 'active'
       BEGIN
         UPDATE market_listings SET asset_pledgee = NULL WHERE asset_id = NEW.asset_id;
       END""",
    f"""CREATE TRIGGER IF NOT EXISTS market_catalogue_follows_listing
       AFTER UPDATE OF {_FOLLOWED} ON market_listings
       BEGIN
         UPDATE market_catalogue SET visible = {_VISIBLE} WHERE seq = NEW.seq;
       END""",
)
# Certified assets in the catalogue: their public facts, a row while certified (the facts are JSON).
_ASSET_COLUMNS = "asset_id, name, right_claimed, holder_address"
_SQLITE_ASSETS = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS market_asset_text USING fts5(name, content='market_asset_catalogue',"
    " content_rowid='seq', tokenize='trigram')",
    """CREATE TRIGGER IF NOT EXISTS market_asset_text_insert AFTER INSERT ON market_asset_catalogue
       BEGIN INSERT INTO market_asset_text (rowid, name) VALUES (NEW.seq, NEW.name); END""",
    """CREATE TRIGGER IF NOT EXISTS market_asset_text_delete AFTER DELETE ON market_asset_catalogue
       BEGIN
         INSERT INTO market_asset_text (market_asset_text, rowid, name) VALUES ('delete', OLD.seq, OLD.name);
       END""",
    *(
        f"""CREATE TRIGGER IF NOT EXISTS market_asset_catalogue_follows_{when.split()[-1].lower()}
       AFTER {when} ON assets
       BEGIN
         DELETE FROM market_asset_catalogue WHERE asset_id = NEW.asset_id;
         INSERT INTO market_asset_catalogue ({_ASSET_COLUMNS})
           SELECT NEW.asset_id, coalesce(json_extract(NEW.facts_json, '$.name'), ''),
                  coalesce(json_extract(NEW.facts_json, '$.right_claimed'), ''), lower(NEW.holder_address)
            WHERE NEW.state = 'certified' AND json_valid(NEW.facts_json);
       END"""
        for when in ("INSERT", "UPDATE OF state, holder_address, facts_json")
    ),
)
_POSTGRES_ASSETS = (
    "CREATE INDEX IF NOT EXISTS ix_market_asset_catalogue_name_trgm ON market_asset_catalogue"
    " USING gin (lower(name) gin_trgm_ops)",
    f"""CREATE OR REPLACE FUNCTION market_asset_catalogue_follows_asset() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         DELETE FROM market_asset_catalogue WHERE asset_id = NEW.asset_id;
         IF NEW.state = 'certified' THEN
           BEGIN  -- facts that are not JSON leave the asset out of the catalogue, never fail its write
             INSERT INTO market_asset_catalogue ({_ASSET_COLUMNS})
             VALUES (NEW.asset_id, coalesce(NEW.facts_json::json ->> 'name', ''),
                     coalesce(NEW.facts_json::json ->> 'right_claimed', ''), lower(NEW.holder_address));
           EXCEPTION WHEN invalid_text_representation THEN NULL;
           END;
         END IF;
         RETURN NULL;
       END $$""",
    """CREATE OR REPLACE TRIGGER market_asset_catalogue_follows_asset
       AFTER INSERT OR UPDATE OF state, holder_address, facts_json ON assets
       FOR EACH ROW EXECUTE FUNCTION market_asset_catalogue_follows_asset()""",
)
# The assets certified before the catalogue existed (once: afterwards the triggers keep it).
_CERTIFIED_BEFORE = {
    "sqlite": f"INSERT INTO market_asset_catalogue ({_ASSET_COLUMNS}) SELECT asset_id,"
    " coalesce(json_extract(facts_json, '$.name'), ''),"
    " coalesce(json_extract(facts_json, '$.right_claimed'), ''),"
    " lower(holder_address) FROM assets WHERE state = 'certified' AND json_valid(facts_json)"
    " AND asset_id NOT IN (SELECT asset_id FROM market_asset_catalogue)",
    "postgresql": f"INSERT INTO market_asset_catalogue ({_ASSET_COLUMNS}) SELECT asset_id,"
    " coalesce(facts_json::json ->> 'name', ''), coalesce(facts_json::json ->> 'right_claimed', ''),"
    " lower(holder_address) FROM assets WHERE state = 'certified'"
    " AND asset_id NOT IN (SELECT asset_id FROM market_asset_catalogue)",
}
# Several processes may start on one database at once: the DDL runs under a transaction lock.
_POSTGRES_DDL_LOCK = "SELECT pg_advisory_xact_lock(1145848905, 14)"
_POSTGRES_SCHEMA = (
    *_BROWSE_INDEX,
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # The words of the text and of the title (catalogue_search.word_line), for word terms: LIKE
    # '% de identified%' is a word that starts with "identified" right after the word "de". Written by
    # index_listings; a database made before them has them filled once (_fill_word_lines).
    "ALTER TABLE market_catalogue ADD COLUMN IF NOT EXISTS search_words text",
    "ALTER TABLE market_catalogue ADD COLUMN IF NOT EXISTS title_words text",
    # The short terms as an array the GIN index answers exactly (no recheck of each row's text).
    "ALTER TABLE market_catalogue ADD COLUMN IF NOT EXISTS short_terms_array text[]"
    " GENERATED ALWAYS AS (string_to_array(short_terms, ' ')) STORED",
    # One GIN index over every searched column: a search's conditions (a Chinese term and a short
    # one, two words, a term and the title tier) are intersected inside the index, and only the rows
    # matching all of them are read. With one index per column the planner took one index and
    # filtered the rows it found: "海南 旅游酒店" read 6,066 rows for its 380 matches. A multicolumn
    # GIN index answers any subset of its columns as well as an index of those columns alone.
    "CREATE INDEX IF NOT EXISTS ix_market_catalogue_text ON market_catalogue USING gin"
    " (search_text gin_trgm_ops, search_words gin_trgm_ops, short_terms_array,"
    " title gin_trgm_ops, title_words gin_trgm_ops) WHERE visible",
    # The indexes of one column each that it replaces (databases made before it).
    "DROP INDEX IF EXISTS ix_market_catalogue_search_trgm, ix_market_catalogue_title_trgm,"
    " ix_market_catalogue_search_words_trgm, ix_market_catalogue_title_words_trgm,"
    " ix_market_catalogue_short_terms",
    """CREATE OR REPLACE FUNCTION market_listings_follow_asset() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         UPDATE market_listings SET asset_state = NEW.state, asset_holder = lower(NEW.holder_address)
          WHERE asset_id = NEW.asset_id;
         RETURN NULL;
       END $$""",
    """CREATE OR REPLACE TRIGGER market_listings_follow_asset
       AFTER UPDATE OF state, holder_address ON assets
       FOR EACH ROW EXECUTE FUNCTION market_listings_follow_asset()""",
    """CREATE OR REPLACE FUNCTION market_listings_follow_pledge() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.status = 'active' THEN
           UPDATE market_listings SET asset_pledgee = lower(NEW.pledgee_address)
            WHERE asset_id = NEW.asset_id;
         ELSE
           UPDATE market_listings SET asset_pledgee = NULL WHERE asset_id = NEW.asset_id;
         END IF;
         RETURN NULL;
       END $$""",
    """CREATE OR REPLACE TRIGGER market_listings_follow_pledge
       AFTER INSERT OR UPDATE OF status ON pledges
       FOR EACH ROW EXECUTE FUNCTION market_listings_follow_pledge()""",
    f"""CREATE OR REPLACE FUNCTION market_catalogue_follows_listing() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         UPDATE market_catalogue SET visible = {_VISIBLE} WHERE seq = NEW.seq;
         RETURN NULL;
       END $$""",
    f"""CREATE OR REPLACE TRIGGER market_catalogue_follows_listing
       AFTER UPDATE OF {_FOLLOWED} ON market_listings
       FOR EACH ROW EXECUTE FUNCTION market_catalogue_follows_listing()""",
)


class MarketStore:
    """Licence templates, listings, their reports, and the catalogue over them."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._cells = FacetCells()
        self.create_schema()

    @property
    def engine(self) -> Engine:
        return self._engine

    def create_schema(self) -> None:
        postgres = self._engine.dialect.name == "postgresql"
        with self._engine.begin() as conn:
            if postgres:
                conn.exec_driver_sql(_POSTGRES_DDL_LOCK)
            for table in MARKET_TABLES:
                table.create(conn, checkfirst=True)
            try:
                schema = (
                    (*_POSTGRES_SCHEMA, *_POSTGRES_ASSETS) if postgres else (*_SQLITE_SCHEMA, *_SQLITE_ASSETS)
                )
                for statement in schema:
                    conn.exec_driver_sql(statement)
                if postgres:
                    _fill_word_lines(conn)
                conn.exec_driver_sql(_CERTIFIED_BEFORE[conn.dialect.name])
            except Exception as error:
                if postgres and "pg_trgm" in str(error):
                    raise ConfigurationError(
                        "the catalogue needs the pg_trgm extension: a superuser runs"
                        " CREATE EXTENSION pg_trgm in this database once",
                        error=str(error).splitlines()[0],
                    ) from None
                raise

    # -- licence templates ------------------------------------------------------------------------

    def add_template(self, template: LicenceTemplate) -> None:
        """Store a new version; raises ``AlreadyExists`` if that version exists (versions never change)."""
        row = {
            "template_id": template.template_id,
            "version": template.version,
            "exchange_id": template.exchange_id,
            "name": template.name,
            "terms_json": json.dumps(template.terms.as_json(), ensure_ascii=False),
            "terms_hash": template.terms_hash,
            "created_at": template.created_at,
        }
        try:
            with self._engine.begin() as conn:
                conn.execute(TEMPLATES.insert(), row)
        except IntegrityError:
            raise AlreadyExists(
                "this version of the template exists",
                templateId=template.template_id,
                version=template.version,
            ) from None

    def template(self, template_id: str, version: int | None = None) -> LicenceTemplate:
        """The template's ``version``, or its latest; raises ``LicenceTemplateNotFound``."""
        sql = (
            "SELECT template_id, version, exchange_id, name, terms_json, created_at FROM licence_templates"
            " WHERE template_id = :id"
        )
        params: dict[str, Any] = {"id": template_id}
        if version is not None:
            sql += " AND version = :version"
            params["version"] = version
        sql += " ORDER BY version DESC LIMIT 1"
        with self._engine.connect() as conn:
            row = conn.execute(text(sql), params).first()
        if row is None:
            raise LicenceTemplateNotFound(
                "no such licence template" + ("" if version is None else " version"),
                templateId=template_id,
                version=version,
            )
        return LicenceTemplate(
            template_id=row.template_id,
            version=row.version,
            exchange_id=row.exchange_id,
            name=row.name,
            terms=LicenceTerms.from_json(json.loads(row.terms_json)),
            created_at=aware(row.created_at),
        )

    def template_versions(self, template_id: str) -> list[LicenceTemplate]:
        latest = self.template(template_id)
        return [self.template(template_id, v) for v in range(1, latest.version + 1)]

    # -- listings ---------------------------------------------------------------------------------

    def add_listing(self, listing: Listing, report: dict[str, Any], standing: AssetStanding) -> None:
        """Store a listing, its report and its catalogue entry in one transaction; refused
        (``PersonalDataDeclarationMismatch``) when the asset's deposit declares otherwise on personal
        data, as stored in the meantime (see :mod:`~dataledger.ledger.sql.personal_data`)."""
        with self._engine.begin() as conn:
            lock_asset(conn, listing.asset_id)
            row = listing_row(listing, standing)
            seq = conn.execute(LISTINGS.insert().returning(LISTINGS.c.seq), row).scalar_one()
            declared = listing.content.personal_data.contains_personal_data
            deposited = deposited_personal_data(conn, listing.asset_id)
            if deposited is not None and deposited != declared:
                raise PersonalDataDeclarationMismatch(
                    "the holder's deposit at the delivery gateway, stored as this listing was made,"
                    f" {'declares' if deposited else 'does not declare'} personal data: list it again"
                    " declaring the same",
                    field="personalData.containsPersonalData",
                    assetId=listing.asset_id,
                )
            conn.execute(
                REPORTS.insert(),
                {
                    "report_hash": listing.report_hash,
                    "listing_id": listing.listing_id,
                    "report_json": json.dumps(report, ensure_ascii=False),
                    "stored_at": datetime.now(UTC),
                },
            )
            index_listings(conn, [(seq, listing)])

    def listing(self, listing_id: str) -> Listing:
        with self._engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT l.*, a.registration_number FROM market_listings l"
                    " LEFT JOIN assets a ON a.asset_id = l.asset_id WHERE l.listing_id = :id"
                ),
                {"id": listing_id.lower()},
            ).first()
        if row is None:
            raise ListingNotFound("no listing with this id", listingId=listing_id)
        return listing_of(row._mapping)

    def listings_of(
        self,
        *,
        lister: str | None,
        exchange_id: str | None,
        status: ListingStatus | None,
        limit: int,
        offset: int,
    ) -> tuple[list[Listing], int]:
        """Listings newest first, and how many there are: those ``lister`` listed (its chain address) or
        listed at ``exchange_id``; every one when both are None. ``status`` keeps one status, as the
        store's copy of each asset's standing tells it (the catalogue entry's ``visible``)."""
        where: list[str] = []
        params: dict[str, Any] = {}
        parties = []
        if lister is not None:
            parties.append("l.lister = :lister")
            params["lister"] = lister.lower()
        if exchange_id is not None:
            parties.append("l.exchange_id = :exchange_id")
            params["exchange_id"] = exchange_id
        if parties:
            where.append("(" + " OR ".join(parties) + ")")
        if status is not None:
            where.append(
                {
                    ListingStatus.LISTED: "l.status = 'listed' AND c.visible",
                    ListingStatus.SUSPENDED: "l.status = 'listed' AND NOT c.visible",
                    ListingStatus.DELISTED: "l.status = 'delisted'",
                }[status]
            )
        tables = "market_listings l JOIN market_catalogue c ON c.seq = l.seq"
        condition = " WHERE " + " AND ".join(where) if where else ""
        with self._engine.connect() as conn:
            total = conn.execute(text(f"SELECT count(*) FROM {tables}{condition}"), params).scalar_one()
            rows = conn.execute(
                text(
                    f"SELECT l.*, a.registration_number FROM {tables}"
                    f" LEFT JOIN assets a ON a.asset_id = l.asset_id{condition}"
                    " ORDER BY l.seq DESC LIMIT :limit OFFSET :offset"
                ),
                {**params, "limit": limit, "offset": offset},
            ).all()
        return [listing_of(row._mapping) for row in rows], int(total)

    def deposited_personal_data(self, asset_id: str) -> bool | None:
        with self._engine.connect() as conn:
            return deposited_personal_data(conn, asset_id)

    def listing_report(self, listing_id: str) -> dict[str, Any]:
        with self._engine.connect() as conn:
            found = conn.execute(
                text("SELECT report_json FROM market_listing_reports WHERE listing_id = :id"),
                {"id": listing_id.lower()},
            ).scalar()
        if found is None:
            raise ListingNotFound("no listing with this id", listingId=listing_id)
        report: dict[str, Any] = json.loads(found)
        return report

    def set_suspension(self, listing_id: str, reason: str | None, standing: AssetStanding | None) -> None:
        """Write through what a read from the chain found: the suspension and the asset's standing."""
        values: dict[str, Any] = {"id": listing_id.lower(), "reason": reason}
        sql = "UPDATE market_listings SET suspension = :reason"
        if standing is not None:
            sql += ", asset_state = :state, asset_holder = :holder, asset_pledgee = :pledgee"
            values |= {
                "state": standing.state,
                "holder": standing.holder.lower(),
                "pledgee": standing.pledgee.lower() if standing.pledgee else None,
            }
        with self._engine.begin() as conn:
            conn.execute(text(sql + " WHERE listing_id = :id AND status = 'listed'"), values)

    def delist(self, listing_id: str, reason: str, at: datetime, evidence: ChainEvidence) -> Listing:
        with self._engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE market_listings SET status = 'delisted', delisting_reason = :reason,"
                    " delisted_at = :at, delisting_tx_hash = :tx, delisting_block_number = :block,"
                    " delisting_log_index = :log WHERE listing_id = :id"
                ),
                {
                    "id": listing_id.lower(),
                    "reason": reason,
                    "at": at,
                    "tx": evidence.tx_hash,
                    "block": evidence.block_number,
                    "log": evidence.log_index,
                },
            )
        return self.listing(listing_id)

    # -- demands ----------------------------------------------------------------------------------

    def add_demand(self, demand: Demand) -> None:
        budget = demand.budget
        with self._engine.begin() as conn:
            conn.execute(
                DEMANDS.insert(),
                {
                    "demand_id": demand.demand_id,
                    "publisher_id": demand.publisher_id,
                    "publisher_name": demand.publisher_name,
                    "title": demand.title,
                    "description": demand.description,
                    "purpose": demand.purpose,
                    "category": demand.category,
                    "budget_minor": int(budget.amount * 100) if budget else None,
                    "budget_currency": budget.currency if budget else None,
                    "deadline": demand.deadline,
                    "status": demand.status.value,
                    "created_at": demand.created_at,
                },
            )

    def demand(self, demand_id: str) -> Demand:
        with self._engine.connect() as conn:
            row = conn.execute(DEMANDS.select().where(DEMANDS.c.demand_id == demand_id)).first()
            if row is None:
                raise DemandNotFound("no demand with this id", demandId=demand_id)
            responses = conn.execute(
                RESPONSES.select().where(RESPONSES.c.demand_id == demand_id).order_by(RESPONSES.c.created_at)
            ).all()
        return _demand_of(row._mapping, responses)

    def demands(self, *, status: DemandStatus | None, limit: int, offset: int) -> tuple[list[Demand], int]:
        """A page of demands, newest first, and how many there are (without their responses)."""
        query = DEMANDS.select()
        counting = select(func.count()).select_from(DEMANDS)
        if status is not None:
            query = query.where(DEMANDS.c.status == status.value)
            counting = counting.where(DEMANDS.c.status == status.value)
        with self._engine.connect() as conn:
            rows = conn.execute(query.order_by(DEMANDS.c.seq.desc()).limit(limit).offset(offset)).all()
            total = int(conn.execute(counting).scalar_one())
        return [_demand_of(row._mapping, ()) for row in rows], total

    def add_response(self, response: DemandResponse) -> None:
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    RESPONSES.insert(),
                    {
                        "response_id": response.response_id,
                        "demand_id": response.demand_id,
                        "listing_id": response.listing_id,
                        "responder_id": response.responder_id,
                        "note": response.note,
                        "created_at": response.created_at,
                    },
                )
        except IntegrityError:
            raise AlreadyExists(
                "this listing already responds to the demand", listingId=response.listing_id
            ) from None

    def close_demand(self, demand_id: str, response_id: str, at: datetime) -> Demand:
        """Close the demand with ``response_id``, unless it was closed meanwhile (then DemandClosed)."""
        with self._engine.begin() as conn:
            closed = conn.execute(
                DEMANDS.update()
                .where(DEMANDS.c.demand_id == demand_id, DEMANDS.c.status == DemandStatus.OPEN.value)
                .values(status=DemandStatus.CLOSED.value, chosen_response_id=response_id, closed_at=at)
            ).rowcount
        if closed != 1:
            raise DemandClosed("the demand is already closed", demandId=demand_id)
        return self.demand(demand_id)

    # -- the catalogue ----------------------------------------------------------------------------

    def search(self, query: CatalogueQuery) -> CataloguePage:
        with self._engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                # The catalogue's pages stay in SQLite's own cache (64 MiB), not only the kernel's.
                conn.exec_driver_sql("PRAGMA cache_size = -65536")
            return search(conn, query, self._cells)

    def search_assets(
        self, terms: Sequence[str], *, limit: int, offset: int
    ) -> tuple[list[dict[str, str]], int]:
        """Certified assets whose name holds every term (any case), newest certified first, and how
        many there are; their public facts only."""
        with self._engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            params: dict[str, Any] = {f"t{i}": _like_pattern(term, sqlite) for i, term in enumerate(terms)}
            if sqlite:  # FTS5's trigram index answers LIKE for 3+ characters; shorter terms read the names
                source = "market_asset_text t JOIN market_asset_catalogue c ON c.seq = t.rowid"
                where = [f"{'t' if len(term) >= 3 else 'c'}.name LIKE :t{i}" for i, term in enumerate(terms)]
            else:
                source = "market_asset_catalogue c"
                where = [f"lower(c.name) LIKE :t{i} ESCAPE '\\'" for i in range(len(terms))]
            condition = (" WHERE " + " AND ".join(where)) if where else ""
            rows = conn.execute(
                text(
                    f"SELECT c.asset_id, c.name, c.right_claimed, c.holder_address FROM {source}{condition}"
                    " ORDER BY c.seq DESC LIMIT :limit OFFSET :offset"
                ),
                {**params, "limit": limit, "offset": offset},
            ).all()
            total = conn.execute(text(f"SELECT count(*) FROM {source}{condition}"), params).scalar_one()
        items = [
            {
                "assetId": r.asset_id,
                "name": r.name,
                "rightClaimed": r.right_claimed,
                "holderAddress": r.holder_address,
            }
            for r in rows
        ]
        return items, int(total)

    def exchanges(self) -> list[tuple[str, str]]:
        """The exchanges that listed products, ``(id, name)`` by name (the facet cells name them all)."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT DISTINCT exchange_id, exchange_name FROM market_facet_cells"
                    " ORDER BY exchange_name, exchange_id"
                )
            ).all()
        return [(str(row.exchange_id), str(row.exchange_name)) for row in rows]

    def bulk_add_listings(self, listings: Sequence[tuple[Listing, AssetStanding]]) -> None:
        """Insert many listings with their catalogue entries, without reports: the benchmark's loader,
        which bypasses the chain."""
        with self._engine.begin() as conn:
            seqs = conn.execute(
                LISTINGS.insert().returning(LISTINGS.c.seq, sort_by_parameter_order=True),
                [listing_row(listing, standing) for listing, standing in listings],
            ).scalars()
            index_listings(conn, list(zip(seqs, (listing for listing, _ in listings), strict=True)))


def _fill_word_lines(conn: Connection) -> None:
    """PostgreSQL: the words columns of catalogue entries stored without them, and of every entry where
    they were columns the database generated (by its ctype's idea of a letter, see word_line)."""
    generated = conn.execute(
        text(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND table_name = 'market_catalogue' AND column_name IN ('search_words', 'title_words')"
            " AND is_generated = 'ALWAYS'"
        )
    ).scalars()
    every = False
    for column in generated:
        conn.exec_driver_sql(f"ALTER TABLE market_catalogue ALTER COLUMN {column} DROP EXPRESSION")
        every = True
    missing = "" if every else " AND (search_words IS NULL OR title_words IS NULL)"
    after = -1
    while True:
        rows = conn.execute(
            text(
                "SELECT seq, search_text, title FROM market_catalogue"
                f" WHERE seq > :after{missing} ORDER BY seq LIMIT 5000"
            ),
            {"after": after},
        ).all()
        if not rows:
            return
        conn.execute(
            text("UPDATE market_catalogue SET search_words = :text, title_words = :title WHERE seq = :seq"),
            [
                {"seq": row.seq, "text": word_line(row.search_text or ""), "title": word_line(row.title)}
                for row in rows
            ],
        )
        after = rows[-1].seq


def index_listings(conn: Connection, entries: Sequence[tuple[int, Listing]]) -> None:
    """The catalogue entries of newly stored listings (seq, listing): a ``market_catalogue`` row each
    and, on SQLite, their FTS5 entries (on PostgreSQL the row's columns are indexed)."""
    if not entries:
        return
    sqlite = conn.dialect.name == "sqlite"
    rows = []
    texts = []
    for seq, listing in entries:
        content = listing.content
        headline = (content.title, content.subtitle, content.category, content.industry)
        text, terms = normalise(content.search_text()), " ".join(short_terms(headline))
        rows.append(
            {
                "seq": seq,
                "visible": True,
                "category": content.category,
                "industry": content.industry,
                "product_form": content.product_form.value,
                "exchange_id": listing.exchange_id,
                "exchange_name": listing.exchange_name,
                "price_minor": content.price.minor_units,
                "title": normalise(content.title),
                "search_text": None if sqlite else text,
                "search_words": None if sqlite else word_line(text),
                "title_words": None if sqlite else word_line(normalise(content.title)),
                "short_terms": None if sqlite else terms,
            }
        )
        texts.append((seq, normalise(content.title), text, terms))
    cells = facet_cells(conn, entries)
    for row, (_, listing) in zip(rows, entries, strict=True):
        row["cell"] = cells[
            (listing.content.category, listing.content.product_form.value, listing.exchange_id)
        ]
    conn.execute(CATALOGUE.insert(), rows)
    if sqlite:
        conn.exec_driver_sql(
            "INSERT INTO market_listing_text (rowid, title, body) VALUES (?, ?, ?)",
            [(seq, title, body) for seq, title, body, _ in texts],
        )
        conn.exec_driver_sql(
            "INSERT INTO market_listing_terms (rowid, terms) VALUES (?, ?)",
            [(seq, terms) for seq, _, _, terms in texts],
        )
        conn.exec_driver_sql(
            "INSERT INTO market_listing_titles (rowid, title) VALUES (?, ?)",
            [(seq, title) for seq, title, _, _ in texts],
        )
        conn.exec_driver_sql(
            "INSERT INTO market_listing_words (rowid, title, body) VALUES (?, ?, ?)",
            [(seq, title, body) for seq, title, body, _ in texts],
        )
        conn.exec_driver_sql(
            "INSERT INTO market_listing_title_words (rowid, title) VALUES (?, ?)",
            [(seq, title) for seq, title, _, _ in texts],
        )


def facet_cells(conn: Connection, entries: Sequence[tuple[int, Listing]]) -> dict[tuple[str, str, str], int]:
    """The facet cell of each (category, product form, exchange) of ``entries``, made where missing."""
    wanted = {
        (
            listing.content.category,
            listing.content.product_form.value,
            listing.exchange_id,
        ): listing.exchange_name
        for _, listing in entries
    }
    insert = (
        "INSERT INTO market_facet_cells (category, product_form, exchange_id, exchange_name)"
        " VALUES (:category, :form, :exchange, :name)"
        " ON CONFLICT (category, product_form, exchange_id) DO NOTHING"
    )
    conn.execute(
        text(insert),
        [{"category": c, "form": f, "exchange": e, "name": n} for (c, f, e), n in wanted.items()],
    )
    exchanges = sorted({exchange for _, _, exchange in wanted})
    marks = ", ".join(f":e{i}" for i in range(len(exchanges)))
    found = conn.execute(
        text(
            "SELECT cell, category, product_form, exchange_id FROM market_facet_cells"
            f" WHERE exchange_id IN ({marks})"
        ),
        {f"e{i}": exchange for i, exchange in enumerate(exchanges)},
    )
    return {(row.category, row.product_form, row.exchange_id): row.cell for row in found}


def listing_row(listing: Listing, standing: AssetStanding) -> dict[str, Any]:
    """The ``market_listings`` row of a listing, without its search fields."""
    content: ListingContent = listing.content
    return {
        "listing_id": listing.listing_id,
        "asset_id": listing.asset_id,
        "exchange_id": listing.exchange_id,
        "exchange_name": listing.exchange_name,
        "lister": listing.lister.lower(),
        "content_json": json.dumps(content.as_json(), ensure_ascii=False),
        "title": content.title,
        "category": content.category,
        "industry": content.industry,
        "product_form": content.product_form.value,
        "price_minor": content.price.minor_units,
        "currency": content.price.currency,
        "report_id": listing.report_id,
        "report_hash": listing.report_hash,
        "terms_hash": listing.terms_hash,
        "content_hash": listing.content_hash,
        "certificate_number": listing.certificate_number,
        "pledgee_consented": listing.pledgee_consented.lower() if listing.pledgee_consented else None,
        "status": ListingStatus.LISTED.value,
        "suspension": None,
        "asset_state": standing.state,
        "asset_holder": standing.holder.lower(),
        "asset_pledgee": standing.pledgee.lower() if standing.pledgee else None,
        "listed_at": listing.listed_at,
        "chain_id": listing.evidence.chain_id,
        "contract": listing.evidence.contract,
        "tx_hash": listing.evidence.tx_hash,
        "block_number": listing.evidence.block_number,
        "log_index": listing.evidence.log_index,
    }


def listing_of(row: Any) -> Listing:
    """The domain's listing from a ``market_listings`` row (a mapping)."""
    delisted = row["status"] == ListingStatus.DELISTED.value
    delisting = (
        ChainEvidence(
            row["chain_id"], row["contract"], row["delisting_tx_hash"], row["delisting_block_number"],
            row["delisting_log_index"],
        )
        if row["delisting_tx_hash"]
        else None
    )  # fmt: skip
    suspended = row["suspension"] is not None or not _standing_allows(row)
    status = (
        ListingStatus.DELISTED if delisted else ListingStatus.SUSPENDED if suspended else ListingStatus.LISTED
    )
    return Listing(
        listing_id=row["listing_id"],
        asset_id=row["asset_id"],
        exchange_id=row["exchange_id"],
        exchange_name=row["exchange_name"],
        lister=row["lister"],
        content=ListingContent.from_json(json.loads(row["content_json"])),
        report_id=row["report_id"],
        report_hash=row["report_hash"],
        terms_hash=row["terms_hash"],
        content_hash=row["content_hash"],
        certificate_number=row["certificate_number"],
        pledgee_consented=row["pledgee_consented"],
        status=status,
        listed_at=aware(row["listed_at"]),
        evidence=ChainEvidence(
            row["chain_id"], row["contract"], row["tx_hash"], row["block_number"], row["log_index"]
        ),
        suspension=row["suspension"],
        delisting_reason=row["delisting_reason"],
        delisted_at=aware(row["delisted_at"]) if row["delisted_at"] else None,
        delisting_evidence=delisting,
        asset_pledgee=row["asset_pledgee"],
        registration_number=row.get("registration_number"),
    )


def _standing_allows(row: Any) -> bool:
    pledgee = row["asset_pledgee"]
    return bool(
        row["asset_state"] == "certified"
        and row["asset_holder"] == row["lister"]
        and (pledgee is None or pledgee == row["pledgee_consented"])
    )


def _demand_of(row: Any, responses: Sequence[Any]) -> Demand:
    budget = (
        Budget(Decimal(row["budget_minor"]) / 100, row["budget_currency"])
        if row["budget_minor"] is not None
        else None
    )
    return Demand(
        demand_id=row["demand_id"],
        publisher_id=row["publisher_id"],
        publisher_name=row["publisher_name"],
        title=row["title"],
        description=row["description"],
        purpose=row["purpose"],
        category=row["category"],
        budget=budget,
        deadline=aware(row["deadline"]),
        created_at=aware(row["created_at"]),
        status=DemandStatus(row["status"]),
        chosen_response_id=row["chosen_response_id"],
        closed_at=aware(row["closed_at"]) if row["closed_at"] else None,
        responses=tuple(
            DemandResponse(
                r.response_id, r.demand_id, r.listing_id, r.responder_id, r.note, aware(r.created_at)
            )
            for r in responses
        ),
    )


def _like_pattern(term: str, sqlite: bool) -> str:
    """``%term%``; FTS5 takes no ESCAPE, so there the wildcards are dropped from the term."""
    if sqlite:
        return "%" + term.replace("%", "").replace("_", "") + "%"
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"

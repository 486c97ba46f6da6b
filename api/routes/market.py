"""The market: exchanges' licence templates and listings, and the public catalogue over them."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query

from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.api.market_schemas import (
    DelistingBody,
    LicenceTemplateCreate,
    LicenceTemplateRevision,
    ListingCreate,
    ListingIdPath,
    TemplateIdPath,
)
from dataledger.api.responses.listings import ListingReport
from dataledger.api.responses.market import (
    CataloguePage,
    CertifiedAssetPage,
    LicenceTemplate,
    Listing,
    ListingList,
    ProductFormName,
)
from dataledger.api.schemas import Offset
from dataledger.registry.market.catalogue import MAX_PAGE, CatalogueQuery, CatalogueSort
from dataledger.registry.market.listings import ListingStatus, ProductForm

templates_router = APIRouter(prefix="/v1/licence-templates", tags=["market"])
listings_router = APIRouter(prefix="/v1/listings", tags=["market"])
catalogue_router = APIRouter(prefix="/v1/catalogue", tags=["market"])


# -- licence templates --------------------------------------------------------------------------------


@templates_router.post("", response_model=LicenceTemplate, status_code=201, summary="Make a licence template")
def create_licence_template(
    body: LicenceTemplateCreate, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """An exchange: a licence template with the terms it offers with its listings (exclusivity,
    territory, sectors, uses, term, number of uses, resale, attribution), at version 1."""
    return services.market.create_template(me, body.name, body.terms.to_domain()).as_json()


@templates_router.post(
    "/{templateId}/versions",
    response_model=LicenceTemplate,
    status_code=201,
    summary="Revise a licence template: its next version",
)
def revise_licence_template(
    template_id: TemplateIdPath, body: LicenceTemplateRevision, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The exchange that made the template: new terms as the next version. Earlier versions stay as
    they are, with their terms hash, and so does every listing (and order) made under them."""
    return services.market.revise_template(me, template_id, body.terms.to_domain(), body.name).as_json()


@templates_router.get("/{templateId}", response_model=LicenceTemplate, summary="A licence template (public)")
def get_licence_template(
    template_id: TemplateIdPath,
    services: ServicesDep,
    version: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="This version; the latest if omitted")
    ] = None,
) -> dict[str, Any]:
    """Anyone: the terms a listing offers, by template and version, with the hash its listings record."""
    return services.market.template(template_id, version).as_json()


# -- listings -----------------------------------------------------------------------------------------


@listings_router.post("", response_model=Listing, status_code=201, summary="List a verified data product")
def create_listing(body: ListingCreate, me: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """An exchange: list the certified product that a listing verification it asked for passed (the
    signed report, as answered, less than 24 hours old), offering one of its licence templates. The
    report's hash is recorded on chain as a passing verification, then the listing with the hashes of
    the report, the licence terms and the published content; the report is stored with the listing."""
    return services.market.list_product(me, body.report, body.content.to_domain()).as_json()


@listings_router.get("", response_model=ListingList, summary="My listings")
def list_listings(
    me: CurrentParticipant,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Offset = 0,
    status: Annotated[ListingStatus | None, Query(description="Only listings in this status")] = None,
) -> dict[str, Any]:
    """The caller's listings, newest first: those listed from its chain address (as the asset's holder
    then) and those at its exchange; every listing for oversight (registrars, auditors, the
    administrator). A listing's status is as the registry last saw its asset (``GET
    /v1/listings/{listingId}`` reads the chain now)."""
    items, total = services.market.listings(me, status=status, limit=limit, offset=offset)
    return {
        "items": [listing.as_json() for listing in items],
        "total": total,
        "limit": limit,
        "offset": offset,
    }


@listings_router.get("/{listingId}", response_model=Listing, summary="A listing (public)")
def get_listing(listing_id: ListingIdPath, services: ServicesDep) -> dict[str, Any]:
    """Anyone: the listing, its status as its asset stands on chain now (``suspended``, with why, once
    the asset is revoked, transferred, or pledged without the pledgee's consent), and the asset's
    pledge status."""
    return services.market.listing(listing_id.lower()).as_json()


@listings_router.get(
    "/{listingId}/report", response_model=ListingReport, summary="The report a listing was made with (public)"
)
def get_listing_report(listing_id: ListingIdPath, services: ServicesDep) -> dict[str, Any]:
    """Anyone: the registrar-signed listing verification report the listing was made with, as signed
    (its RFC 8785 SHA-256 is the listing's ``reportHash``; check it with ``verifyListingReport``)."""
    return services.market.report(listing_id.lower())


@listings_router.post(
    "/{listingId}/delisting", response_model=Listing, summary="Delist a product, with a reason"
)
def delist_listing(
    listing_id: ListingIdPath, body: DelistingBody, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The exchange that listed the product: take it off, with a reason (its hash is recorded on chain
    with the delisting). A delisted listing stays readable."""
    return services.market.delist(me, listing_id.lower(), body.reason).as_json()


# -- the catalogue ------------------------------------------------------------------------------------


@catalogue_router.get("", response_model=CataloguePage, summary="Search the catalogue (public)")
def search_catalogue(
    services: ServicesDep,
    q: Annotated[
        str, Query(max_length=200, description="Text, Chinese or English; every term must match")
    ] = "",
    category: Annotated[str | None, Query(max_length=60)] = None,
    industry: Annotated[str | None, Query(max_length=60)] = None,
    product_form: Annotated[ProductFormName | None, Query(alias="productForm")] = None,
    exchange: Annotated[str | None, Query(max_length=36, description="An exchange participant's id")] = None,
    price_min: Annotated[Decimal | None, Query(alias="priceMin", ge=0, le=10**12)] = None,
    price_max: Annotated[Decimal | None, Query(alias="priceMax", ge=0, le=10**12)] = None,
    sort: Annotated[CatalogueSort, Query(description="relevance (newest first without text)")] = (
        CatalogueSort.RELEVANCE
    ),
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Anyone (rate-limited like every anonymous request): listed products matching the text, in Chinese
    or English (terms of three characters or more anywhere in a listing; one- and two-character terms
    in its title, subtitle, category or industry), with filters, a page, the total and facets (counts
    per category, product form and exchange over every match). A text search counts at most 2,000
    matches: past that, ``totalExact`` is false and the total and facet counts are lower bounds ("2,000+").
    Suspended and delisted listings are not shown."""
    query = CatalogueQuery(
        text=q,
        category=category,
        industry=industry,
        product_form=ProductForm(product_form) if product_form else None,
        exchange_id=exchange,
        price_min=price_min,
        price_max=price_max,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    page = services.market.search(query)
    return {
        "items": [item.as_json() for item in page.items],
        "total": page.total,
        "totalExact": page.total_exact,
        "limit": limit,
        "offset": offset,
        "facets": {
            "categories": [f.as_json() for f in page.categories],
            "productForms": [f.as_json() for f in page.product_forms],
            "exchanges": [f.as_json() for f in page.exchanges],
        },
    }


@catalogue_router.get(
    "/assets", response_model=CertifiedAssetPage, summary="Search certified assets (public)"
)
def search_certified_assets(
    services: ServicesDep,
    q: Annotated[
        str, Query(max_length=200, description="Text, Chinese or English, in the asset's name")
    ] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Anyone (rate-limited like every anonymous request): the certified assets whose name holds every
    term, the most recently certified first, with their public facts only (name, right claimed,
    holder); an asset leaves this list when it is no longer certified."""
    query = CatalogueQuery(text=q, limit=limit, offset=offset)
    items, total = services.market.search_assets(query)
    return {"items": items, "total": total, "limit": limit, "offset": offset}

"""The market's resource: an exchange's licence templates and listings, and the public catalogue.

Every method names its operationId (tests/client checks them against the OpenAPI document, as for
:mod:`dataledger.client._async.resources`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

from dataledger.client._async.resources import JSON, Resource
from dataledger.client.errors import UnexpectedMessage
from dataledger.client.signers import Signer
from dataledger.registry.market.merchants import BuyerDecision, decision_domain, text_hash


class Market(Resource):
    # -- licence templates --------------------------------------------------------------------------

    async def create_template(self, name: str, terms: dict[str, Any]) -> JSON:
        """An exchange's new licence template (version 1); ``terms`` as the API names them."""
        body = {"name": name, "terms": terms}
        return await self._client.json("createLicenceTemplate", "POST", "/v1/licence-templates", json=body)

    async def revise_template(
        self, template_id: str, terms: dict[str, Any], *, name: str | None = None
    ) -> JSON:
        """The template's next version; earlier versions (and listings made under them) stay."""
        body = {"terms": terms, "name": name} if name is not None else {"terms": terms}
        return await self._client.json(
            "reviseLicenceTemplate",
            "POST",
            "/v1/licence-templates/{templateId}/versions",
            path={"templateId": template_id},
            json=body,
        )

    async def template(self, template_id: str, *, version: int | None = None) -> JSON:
        """A template's version (the latest if ``version`` is None)."""
        return await self._client.json(
            "getLicenceTemplate",
            "GET",
            "/v1/licence-templates/{templateId}",
            path={"templateId": template_id},
            params={"version": version},
        )

    # -- listings -----------------------------------------------------------------------------------

    async def list_product(self, report: dict[str, Any], content: dict[str, Any]) -> JSON:
        """List the product a passing listing verification (``listings.verify``) reported on."""
        body = {"report": report, "content": content}
        return await self._client.json("createListing", "POST", "/v1/listings", json=body)

    async def listings(self, *, limit: int = 50, offset: int = 0, status: str | None = None) -> JSON:
        """The caller's listings, newest first: of its assets, or at its exchange (``status``: listed,
        suspended or delisted)."""
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if status is not None:
            params["status"] = status
        return await self._client.json("listListings", "GET", "/v1/listings", params=params)

    async def listing(self, listing_id: str) -> JSON:
        """A listing, its status as its asset stands on chain now."""
        return await self._client.json(
            "getListing", "GET", "/v1/listings/{listingId}", path={"listingId": listing_id}
        )

    async def listing_report(self, listing_id: str) -> JSON:
        """The registrar-signed verification report the listing was made with."""
        return await self._client.json(
            "getListingReport", "GET", "/v1/listings/{listingId}/report", path={"listingId": listing_id}
        )

    async def delist(self, listing_id: str, reason: str) -> JSON:
        """Take a listing off (the exchange that listed it), with a reason."""
        return await self._client.json(
            "delistListing",
            "POST",
            "/v1/listings/{listingId}/delisting",
            path={"listingId": listing_id},
            json={"reason": reason},
        )

    # -- the catalogue ------------------------------------------------------------------------------

    async def search(
        self,
        q: str = "",
        *,
        category: str | None = None,
        industry: str | None = None,
        product_form: str | None = None,
        exchange: str | None = None,
        price_min: Decimal | str | None = None,
        price_max: Decimal | str | None = None,
        sort: str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> JSON:
        """One page of the catalogue (public), with the total and the facets of every match."""
        params = {
            "q": q,
            "category": category,
            "industry": industry,
            "productForm": product_form,
            "exchange": exchange,
            "priceMin": None if price_min is None else str(price_min),
            "priceMax": None if price_max is None else str(price_max),
            "sort": sort,
        }
        return await self._client.json(
            "searchCatalogue", "GET", "/v1/catalogue", params={**params, "limit": limit, "offset": offset}
        )

    async def search_assets(self, q: str = "", *, limit: int = 20, offset: int = 0) -> JSON:
        """Certified assets whose name holds every term (public facts only)."""
        return await self._client.json(
            "searchCertifiedAssets",
            "GET",
            "/v1/catalogue/assets",
            params={"q": q, "limit": limit, "offset": offset},
        )

    async def iterate(self, q: str = "", *, page_size: int = 100, **filters: Any) -> AsyncIterator[JSON]:
        """Every match of a catalogue search, page by page (``filters`` as :meth:`search` names them)."""
        params = {"q": q, "category": filters.get("category"), "productForm": filters.get("product_form")}
        async for item in self._pages("searchCatalogue", "/v1/catalogue", params, page_size):
            yield item

    # -- demands ------------------------------------------------------------------------------------

    async def publish_demand(
        self,
        title: str,
        *,
        description: str,
        purpose: str,
        deadline: str,
        category: str = "",
        budget: dict[str, Any] | None = None,
    ) -> JSON:
        """A buyer's or an exchange's demand; ``deadline`` ISO 8601 with its zone, ``budget`` as
        ``{"amount": "50000.00", "currency": "CNY"}``."""
        body = {
            "title": title,
            "description": description,
            "purpose": purpose,
            "deadline": deadline,
            "category": category,
            "budget": budget,
        }
        return await self._client.json("publishDemand", "POST", "/v1/demands", json=body)

    async def demands(self, *, status: str = "open", limit: int = 50, offset: int = 0) -> JSON:
        """A page of demands (``open``, ``closed`` or ``any``), newest first."""
        return await self._client.json(
            "listDemands", "GET", "/v1/demands", params={"status": status, "limit": limit, "offset": offset}
        )

    async def demand(self, demand_id: str) -> JSON:
        """A demand and its responses."""
        return await self._client.json(
            "getDemand", "GET", "/v1/demands/{demandId}", path={"demandId": demand_id}
        )

    async def respond(self, demand_id: str, listing_id: str, *, note: str = "") -> JSON:
        """Offer one of the caller's listed products for an open demand."""
        return await self._client.json(
            "respondToDemand",
            "POST",
            "/v1/demands/{demandId}/responses",
            path={"demandId": demand_id},
            json={"listingId": listing_id, "note": note},
        )

    async def close_demand(self, demand_id: str, response_id: str) -> JSON:
        """Close the caller's demand with the response it chose."""
        return await self._client.json(
            "closeDemand",
            "POST",
            "/v1/demands/{demandId}/closing",
            path={"demandId": demand_id},
            json={"responseId": response_id},
        )

    # -- data merchants and buyer verification ------------------------------------------------------

    async def enrol_merchant(self, participant_id: str, kinds: list[str], *, note: str = "") -> JSON:
        """An exchange enrols an enterprise as a data merchant of ``kinds`` (supplier, buyer, delivery,
        evaluation, intermediary, consulting); again: its kinds anew."""
        body = {"participantId": participant_id, "kinds": kinds, "note": note}
        return await self._client.json("enrolMerchant", "POST", "/v1/merchants", json=body)

    async def withdraw_merchant(self, participant_id: str) -> JSON:
        """The exchange withdraws its enrolment of the participant."""
        return await self._client.json(
            "withdrawMerchant",
            "POST",
            "/v1/merchants/{participantId}/withdrawal",
            path={"participantId": participant_id},
        )

    async def merchants(
        self,
        *,
        kind: str | None = None,
        exchange: str | None = None,
        participant: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> JSON:
        """The standing data merchants (public), by exchange then newest first."""
        params = {"kind": kind, "exchange": exchange, "participant": participant}
        return await self._client.json(
            "listMerchants", "GET", "/v1/merchants", params={**params, "limit": limit, "offset": offset}
        )

    async def buyer_policy(self, listing_id: str) -> JSON:
        """Whether the listing's holder requires its buyers to be verified (public)."""
        return await self._client.json(
            "getBuyerPolicy", "GET", "/v1/listings/{listingId}/buyer-policy", path={"listingId": listing_id}
        )

    async def set_buyer_policy(self, listing_id: str, *, verification_required: bool) -> JSON:
        """The holder requires (or stops requiring) that buyers of its listing be verified."""
        return await self._client.json(
            "setBuyerPolicy",
            "PUT",
            "/v1/listings/{listingId}/buyer-policy",
            path={"listingId": listing_id},
            json={"verificationRequired": verification_required},
        )

    async def apply_as_buyer(self, listing_id: str, purpose: str) -> JSON:
        """A buyer enrolled at the listing's exchange asks its holder to verify it, stating its purpose."""
        return await self._client.json(
            "applyAsBuyer",
            "POST",
            "/v1/listings/{listingId}/buyer-applications",
            path={"listingId": listing_id},
            json={"purpose": purpose},
        )

    async def buyer_applications(
        self,
        *,
        side: str = "holder",
        listing_id: str | None = None,
        status: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> JSON:
        """``side`` "holder": the applications to the caller's listings; "buyer": its own."""
        params = {"side": side, "listingId": listing_id, "status": status, "limit": limit, "offset": offset}
        return await self._client.json(
            "listBuyerApplications", "GET", "/v1/buyer-applications", params=params
        )

    async def buyer_application(self, application_id: str) -> JSON:
        """An application and the holder's signed decision (its holder, its buyer, oversight)."""
        return await self._client.json(
            "getBuyerApplication",
            "GET",
            "/v1/buyer-applications/{applicationId}",
            path={"applicationId": application_id},
        )

    async def decide_buyer_application(
        self, application_id: str, *, approved: bool, reason: str = "", signer: Signer
    ) -> JSON:
        """The holder approves or declines the application, signing the ``BuyerDecision`` with its own
        key after checking that it says what the holder decided, about this application and buyer."""
        application = await self.buyer_application(application_id)
        prepared = await self._client.json(
            "prepareBuyerDecision",
            "POST",
            "/v1/buyer-applications/{applicationId}/decision/prepare",
            path={"applicationId": application_id},
            json={"approved": approved, "reason": reason},
        )
        if prepared["reason"] != reason.strip():
            raise UnexpectedMessage("the server prepared the decision with another reason")
        expected = BuyerDecision(
            application_id,
            application["listingId"],
            application["buyer"]["address"],
            approved,
            text_hash(prepared["reason"]),
            int(prepared["deadline"]),
        )
        typed = prepared["typedData"]
        domain = decision_domain(int(typed["domain"]["chainId"]), typed["domain"]["verifyingContract"])
        if typed != expected.typed_data(domain):
            raise UnexpectedMessage("the prepared BuyerDecision is not the decision asked for")
        return await self._client.json(
            "decideBuyerApplication",
            "POST",
            "/v1/buyer-applications/{applicationId}/decision",
            path={"applicationId": application_id},
            json={
                "approved": approved,
                "reason": reason,
                "deadline": expected.deadline,
                "signature": signer.sign_typed_data(typed),
            },
        )

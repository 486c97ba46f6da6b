// A participant's orders and trades (/workspace/trades): signs in with its API key, reads its own orders
// and trades from the API a page at a time (/v1/trades?limit&offset, newest first: as buyer, as seller, as
// the listing exchange), and lets whoever may accept an order accept it: the holder, or the listing
// exchange while the holder's mandate for the listing is in force (/v1/listings/{id}/mandates, whose state
// both are shown). The orders awaiting that acceptance are the API's own filter, a page at a time
// (status=ordered with role=seller for the holder, role=exchange for the exchange). The holder grants its
// mandate to the listing exchange for each of its listings, until a date it picks, and revokes it. Every act
// (TradeAcceptance, TradeMandate, TradeMandateRevocation) is prepared on the server, checked, shown in plain
// words and signed in this page through signing.js, with the signer's own key, which never leaves it.
"use strict";

(function () {
  const S = window.DataledgerSigning;
  const { m, element } = S;
  const $ = (id) => document.getElementById(id);
  const PAGE = 10; // orders and trades per page
  const OWN_READ = 100; // the holder's latest listings whose mandates the page manages (GET /v1/listings)
  const MANDATE_DAYS = 730; // the API takes a mandate of two years at most (counted in chain time)
  const NONE = { items: [], total: 0, offset: 0 };
  const offsets = { trades: 0, awaiting: 0 }; // where the pages shown start: all orders, those awaiting acceptance
  let me = null;
  const listings = {}; // listing id -> the public listing (null: not readable)
  let mandates = {}; // listing id -> its mandates, newest first (null: not readable); this page's listings

  function flash(text, good) {
    const box = $("flash");
    box.className = "notice " + (good ? "notice-good" : "notice-bad");
    box.textContent = text;
  }

  function showSignIn(error) {
    $("desk").hidden = true;
    $("sign-in-form").hidden = false;
    const box = $("sign-in-error");
    box.hidden = !error;
    box.textContent = error || "";
  }

  // One page of the caller's orders and trades (``filter``: the API's query filters, each followed by &);
  // past the end (the list shrank under the page), its last page instead.
  async function readPage(filter, at) {
    const read = (start) => S.api("GET", `/v1/trades?${filter}limit=${PAGE}&offset=${start}`);
    const answer = await read(at);
    if (answer.items.length || at === 0) return answer;
    return read(Math.max(0, (Math.ceil(answer.total / PAGE) - 1) * PAGE));
  }

  async function load() {
    let trades, awaiting, owned;
    try {
      me = await S.api("GET", "/v1/participants/me");
      // who accepts: the seller its own orders, the listing exchange under a mandate (oversight neither)
      const acceptRole = asExchange() ? "exchange" : me.role === "enterprise" ? "seller" : null;
      [trades, awaiting, owned] = await Promise.all([
        readPage("", offsets.trades),
        acceptRole ? readPage(`status=ordered&role=${acceptRole}&`, offsets.awaiting) : NONE,
        acceptRole === "seller" ? S.api("GET", `/v1/listings?limit=${OWN_READ}&offset=0`) : NONE,
      ]);
    } catch (error) {
      if (error.status === 401 || error.status === 403) {
        S.clearApiKey();
        showSignIn(m("key.bad_key"));
        return;
      }
      flash(error.message, false);
      return;
    }
    offsets.trades = trades.offset;
    offsets.awaiting = awaiting.offset;
    $("sign-in-form").hidden = true;
    $("desk").hidden = false;
    $("signed-in").textContent = m("key.signed_in_as", { name: me.name, address: me.address || "—" });
    const listingsOf = (items) => [...new Set(items.map((trade) => trade.listingId))];
    const own = owned.items.map((listing) => listing.listingId); // the holder's listings, for its mandates
    // the mandates of the listings whose orders wait for an acceptance this participant may give or grant
    const mandated = [...new Set([...listingsOf(awaiting.items), ...own])];
    mandates = {};
    await Promise.all([
      ...[...new Set([...listingsOf(trades.items), ...mandated])]
        .filter((id) => !(id in listings) || own.includes(id)) // the holder's own: as they stand now
        .map((id) =>
          S.api("GET", "/v1/listings/" + id).then(
            (listing) => (listings[id] = listing),
            () => (listings[id] = null),
          ),
        ),
      ...mandated.map((id) =>
        S.api("GET", `/v1/listings/${id}/mandates`).then(
          (answer) => (mandates[id] = answer.items),
          () => (mandates[id] = null),
        ),
      ),
    ]);
    render(trades.items, awaiting.items, own);
    pager(PAGERS.trades, trades);
    pager(asExchange() ? PAGERS.mandated : PAGERS.awaiting, awaiting);
  }

  const PAGERS = {
    trades: { prefix: "trades", pages: "trade-pages", offset: "trades", range: "tr.page_range" },
    awaiting: { prefix: "awaiting", pages: "awaiting-pages", offset: "awaiting", range: "tr.awaiting_range" },
    mandated: { prefix: "mandated", pages: "mandated-pages", offset: "awaiting", range: "tr.awaiting_range" },
  };

  function pager(which, answer) {
    const at = answer.offset;
    const shown = answer.items.length;
    $(which.pages).hidden = at === 0 && answer.total <= PAGE;
    $(which.prefix + "-previous").disabled = at === 0;
    $(which.prefix + "-next").disabled = at + shown >= answer.total;
    $(which.prefix + "-range").textContent = shown ? m(which.range, { first: at + 1, last: at + shown, total: answer.total }) : "";
  }

  for (const which of Object.values(PAGERS)) {
    $(which.prefix + "-previous").addEventListener("click", () => {
      offsets[which.offset] = Math.max(0, offsets[which.offset] - PAGE);
      load();
    });
    $(which.prefix + "-next").addEventListener("click", () => {
      offsets[which.offset] += PAGE;
      load();
    });
  }

  S.wireSignIn(load);
  S.onKey((unlocked) => {
    const mine = me && me.address && me.address.toLowerCase() === unlocked.address.toLowerCase();
    $("key-status").textContent = m(mine ? "key.key_ready" : "tr.key_not_mine", { address: unlocked.address });
  });

  const same = (a, b) => Boolean(a) && Boolean(b) && a.toLowerCase() === b.toLowerCase();
  const isSeller = (trade) => same(trade.seller.address, me.address);
  const isExchange = (trade) => trade.exchange.id === me.id;
  const asExchange = () => me.role === "exchange";
  const listingTitle = (id) => (listings[id] ? listings[id].content.title : id);
  const titleOf = (trade) => (listings[trade.listingId] ? listings[trade.listingId].content.title : trade.assetId);
  const when = (iso) => new Date(iso).toLocaleString(S.data.lang === "zh" ? "zh-CN" : "en-GB");

  function render(trades, awaiting, own) {
    for (const section of document.querySelectorAll("#desk section[data-for]")) {
      section.hidden = (section.dataset.for === "exchange") !== asExchange();
    }
    if (asExchange()) {
      cards("mandated", awaiting, "tr.none_mandated", "none-mandated");
      fill("listed", trades.filter(isExchange), "tr.none_listed");
      return;
    }
    cards("awaiting", awaiting, "tr.none_awaiting", "none-awaiting");
    mandateRows(own);
    fill("bought", trades.filter((trade) => trade.buyer.id === me.id), "tr.none_bought");
    fill("sold", trades.filter((trade) => isSeller(trade) && trade.status !== "ordered"), "tr.none_sold");
  }

  function cards(id, trades, emptyKey, emptyId) {
    const box = $(id);
    box.replaceChildren();
    if (!trades.length) box.append(element("p", { "data-testid": emptyId, text: m(emptyKey) }));
    for (const trade of trades) box.append(orderCard(trade));
  }

  // The seller's latest mandate to the listing exchange for the order's listing (the exchange's own, when
  // the exchange reads it): undefined if none was granted, null if the history could not be read.
  function mandateOf(trade) {
    const history = mandates[trade.listingId];
    if (history === null || history === undefined) return null;
    return history.find((mandate) => same(mandate.holder, trade.seller.address) && (!asExchange() || same(mandate.agent, me.address)));
  }

  function mandateText(mandate) {
    if (mandate === undefined) return m("tr.mandate_none");
    if (mandate.status === "in-force") return m("tr.mandate_in_force", { until: S.localTime(mandate.validUntil) });
    if (mandate.status === "revoked") return m("tr.mandate_revoked", { at: when(mandate.revocation.revokedAt) });
    return m("tr.mandate_expired", { until: S.localTime(mandate.validUntil) });
  }

  function fill(id, trades, emptyKey) {
    const body = $(id);
    body.replaceChildren();
    if (!trades.length) {
      body.append(element("tr", {}, element("td", { colspan: "5", text: m(emptyKey) })));
      return;
    }
    for (const trade of trades) {
      body.append(
        element(
          "tr",
          { "data-order-id": trade.orderId, "data-status": trade.status },
          element("td", { "data-label": m("tr.product") }, element("a", { href: "/assets/" + trade.assetId, text: titleOf(trade) })),
          element("td", { "data-label": m("tr.amount"), text: S.money(trade.amount, trade.currency) }),
          element("td", { "data-label": m("tr.status"), "data-testid": "trade-status", text: m("trade." + trade.status) }),
          element("td", { "data-label": m("tr.settlement"), text: m("trade.settlement." + trade.settlementStatus) }),
          element("td", { "data-label": m("tr.ordered_at"), text: when(trade.orderedAt) }),
        ),
      );
    }
  }

  function orderCard(trade) {
    const card = element("article", { class: "application", "data-testid": "order", "data-order-id": trade.orderId });
    card.append(element("h3", {}, element("a", { href: "/assets/" + trade.assetId, text: titleOf(trade) })));
    const facts = element("dl", { class: "facts" });
    const add = (name, value, cls) => facts.append(element("dt", { text: name }), element("dd", { text: value, class: cls }));
    add(m("tr.amount"), S.money(trade.amount, trade.currency));
    add(m("tr.buyer"), trade.buyer.address, "hash");
    add(m("tr.exchange"), trade.exchange.name);
    add(m("tr.ordered_at"), when(trade.orderedAt));
    add(m("tr.order_id"), trade.orderId, "hash");
    if (asExchange()) add(m("tr.seller"), trade.seller.address, "hash");
    const mandate = mandateOf(trade);
    if (mandate !== null) {
      facts.append(element("dt", { text: m("tr.mandate") }), element("dd", { "data-testid": "mandate", "data-mandate": mandate ? mandate.status : "none", text: mandateText(mandate) }));
    }
    card.append(facts);
    // the exchange accepts only in the holder's name, under a mandate in force
    if (asExchange() && (!mandate || mandate.status !== "in-force")) {
      card.append(element("p", { class: "notice notice-bad", "data-testid": "cannot-accept", text: m(mandate && mandate.status === "revoked" ? "tr.mandate_revoked_refused" : "tr.mandate_absent_refused") }));
      return card;
    }
    const accept = element("button", { type: "button", "data-testid": "accept-order", text: m(asExchange() ? "tr.accept_mandated" : "tr.accept") });
    accept.addEventListener("click", () => acceptOrder(trade));
    card.append(element("div", { class: "actions" }, accept));
    return card;
  }

  // -- the holder's mandates to the listing exchanges ----------------------------------------------

  // The holder's latest mandate for the listing: undefined if none was granted, null if unreadable.
  function ownMandate(listingId) {
    const history = mandates[listingId];
    if (history === null || history === undefined) return null;
    return history.find((mandate) => same(mandate.holder, me.address));
  }

  function mandateRows(ids) {
    const box = $("mandates");
    box.replaceChildren();
    if (!ids.length) box.append(element("p", { "data-testid": "none-mandates", text: m("tr.mandates_none") }));
    for (const id of ids) box.append(mandateRow(id));
  }

  function mandateRow(listingId) {
    const listing = listings[listingId];
    const row = element("article", { class: "application", "data-testid": "listing-mandate", "data-listing-id": listingId });
    const title = listingTitle(listingId);
    row.append(element("h3", {}, listing ? element("a", { href: "/assets/" + listing.assetId, text: title }) : title));
    const facts = element("dl", { class: "facts" });
    const add = (name, value, attributes) => facts.append(element("dt", { text: name }), element("dd", { text: value, ...attributes }));
    if (listing) add(m("tr.exchange"), listing.exchange.name);
    add(m("tr.listing_id"), listingId, { class: "hash" });
    const mandate = ownMandate(listingId);
    if (mandate !== null) add(m("tr.mandate"), mandateText(mandate), { "data-testid": "mandate", "data-mandate": mandate ? mandate.status : "none" });
    row.append(facts);
    if (listing && listing.status === "delisted") {
      row.append(element("p", { class: "hint", "data-testid": "mandate-delisted", text: m("tr.mandate_delisted") }));
      return row;
    }
    row.append(grantForm(listingId));
    if (mandate && mandate.status === "in-force") {
      const revoke = element("button", { type: "button", class: "secondary", "data-testid": "revoke-mandate", text: m("tr.revoke_mandate") });
      revoke.addEventListener("click", () => revokeMandate(listingId, mandate));
      row.append(element("div", { class: "actions" }, revoke));
    }
    return row;
  }

  // A date as the date input writes it (YYYY-MM-DD), in the reader's own calendar.
  const isoDate = (date) => [date.getFullYear(), date.getMonth() + 1, date.getDate()].map((n) => String(n).padStart(2, "0")).join("-");
  const endOfDay = (date) => new Date(date.getFullYear(), date.getMonth(), date.getDate(), 23, 59, 59);
  const daysFromToday = (days) => {
    const day = new Date();
    day.setDate(day.getDate() + days);
    return day;
  };

  function grantForm(listingId) {
    const inputId = "mandate-until-" + listingId;
    const errorId = "mandate-error-" + listingId;
    const defaultUntil = new Date();
    defaultUntil.setFullYear(defaultUntil.getFullYear() + 1); // a year, unless the holder picks another date
    const input = element("input", { type: "date", id: inputId, "data-testid": "mandate-until", value: isoDate(defaultUntil), min: isoDate(daysFromToday(1)), max: isoDate(daysFromToday(MANDATE_DAYS)), "aria-describedby": errorId });
    const error = element("p", { id: errorId, class: "notice notice-bad", role: "alert", "data-testid": "mandate-error", hidden: true });
    const grant = element("button", { type: "submit", "data-testid": "grant-mandate", text: m("tr.grant_mandate") });
    // novalidate: a date out of range gets this page's own message, not the browser's bubble
    const form = element("form", { class: "actions", novalidate: true, "data-testid": "grant-form" }, element("label", { for: inputId, text: m("tr.mandate_until") }), input, grant, error);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      grantMandate(listingId, input, error);
    });
    return form;
  }

  // The chosen day's end in the reader's time, as Unix seconds: after today and within the longest term the
  // API takes; else why not, in words.
  function validUntilOf(value) {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || "");
    const day = match ? new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : null;
    if (!day || isoDate(day) !== value) return { error: m("tr.mandate_until_missing") };
    if (endOfDay(day) <= endOfDay(new Date())) return { error: m("tr.mandate_until_past") };
    const latest = daysFromToday(MANDATE_DAYS);
    if (endOfDay(day) > endOfDay(latest)) return { error: m("tr.mandate_until_far", { latest: latest.toLocaleDateString(S.data.lang === "zh" ? "zh-CN" : "en-GB") }) };
    return { until: Math.floor(endOfDay(day).getTime() / 1000) };
  }

  async function grantMandate(listingId, input, error) {
    const chosen = validUntilOf(input.value);
    error.hidden = !chosen.error;
    error.textContent = chosen.error || "";
    if (chosen.error) {
      input.focus();
      return;
    }
    await signAct(
      () =>
        S.perform({
          prepare: `/v1/listings/${listingId}/mandate-requests`,
          submit: `/v1/listings/${listingId}/mandates`,
          body: { validUntil: chosen.until },
          primaryType: "TradeMandate",
          expected: (holder) => ({ holder, listingId, validUntil: chosen.until }),
          subject: listingTitle(listingId),
        }),
      (granted) => m("tr.mandate_granted", { tx: granted.chainEvidence.txHash }),
    );
  }

  async function revokeMandate(listingId, mandate) {
    await signAct(
      () =>
        S.perform({
          prepare: `/v1/listings/${listingId}/mandate-revocation-requests`,
          submit: `/v1/listings/${listingId}/mandate-revocation`,
          body: {},
          primaryType: "TradeMandateRevocation",
          // the mandate shown in force, to the exchange it names
          expected: (holder) => ({ holder, listingId, agent: mandate.agent }),
          subject: listingTitle(listingId),
        }),
      (revoked) => m("tr.mandate_revocation_done", { tx: revoked.revocation.chainEvidence.txHash }),
    );
  }

  // Do one signed act of the holder's; then show its mandates as they stand, and the outcome in words.
  async function signAct(perform, done) {
    let answer;
    try {
      answer = await perform();
    } catch (error) {
      flash(m("key.failed", { reason: error.message }), false);
      if (!S.signer()) $("keystore").focus();
      else await load(); // show the mandate as it stands now
      return;
    }
    if (answer === null) {
      flash(m("key.cancelled"), false);
      return;
    }
    await load();
    flash(done(answer), true);
  }

  // Why an acceptance was refused, in the reader's words: a mandate revoked (or absent) since the page read it.
  function refusal(error) {
    if (error.code === "trade-mandate-revoked") return m("tr.mandate_revoked_refused");
    if (error.code === "not-authorised" && asExchange()) return m("tr.mandate_absent_refused");
    return m("key.failed", { reason: error.message });
  }

  async function acceptOrder(trade) {
    try {
      const done = await S.perform({
        prepare: `/v1/trades/${trade.orderId}/acceptance-requests`,
        submit: `/v1/trades/${trade.orderId}/acceptance`,
        body: {},
        primaryType: "TradeAcceptance",
        expected: (accepter) => ({ orderId: trade.orderId, accepter, amount: trade.amount }),
        subject: titleOf(trade),
      });
      if (done === null) {
        flash(m("key.cancelled"), false);
        return;
      }
      await load();
      flash(m("tr.accepted", { tx: S.txOf(done) }), true);
    } catch (error) {
      if (!S.signer()) {
        flash(m("key.failed", { reason: error.message }), false);
        $("keystore").focus();
        return;
      }
      const mandateRefused = error.code === "trade-mandate-revoked" || (error.code === "not-authorised" && asExchange());
      if (mandateRefused) await load(); // show the mandate as it stands now
      flash(refusal(error), false);
    }
  }

  if (S.apiKey()) load();
  else showSignIn(null);
})();

// A participant's orders and trades (/workspace/trades): signs in with its API key, reads its own orders
// and trades from the API a page at a time (/v1/trades?limit&offset, newest first: as buyer, as seller, as
// the listing exchange), and lets whoever may accept an order accept it: the holder, or the listing
// exchange while the holder's mandate for the listing is in force (/v1/listings/{id}/mandates, whose state
// both are shown). The TradeAcceptance is prepared on the server, checked, shown in plain words and signed
// in this page through signing.js, with the accepter's own key, which never leaves it.
"use strict";

(function () {
  const S = window.DataledgerSigning;
  const { m, element } = S;
  const $ = (id) => document.getElementById(id);
  const PAGE = 10; // orders and trades per page
  let offset = 0; // where the page shown starts
  let me = null;
  const titles = {}; // listing id -> its title (the public listing)
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

  async function load() {
    let trades, total;
    try {
      me = await S.api("GET", "/v1/participants/me");
      ({ items: trades, total } = await S.api("GET", `/v1/trades?limit=${PAGE}&offset=${offset}`));
      if (!trades.length && offset > 0) {
        offset = Math.max(0, (Math.ceil(total / PAGE) - 1) * PAGE); // the list shrank under the page
        ({ items: trades, total } = await S.api("GET", `/v1/trades?limit=${PAGE}&offset=${offset}`));
      }
    } catch (error) {
      if (error.status === 401 || error.status === 403) {
        S.clearApiKey();
        showSignIn(m("key.bad_key"));
        return;
      }
      flash(error.message, false);
      return;
    }
    $("sign-in-form").hidden = true;
    $("desk").hidden = false;
    $("signed-in").textContent = m("key.signed_in_as", { name: me.name, address: me.address || "—" });
    const listings = [...new Set(trades.map((trade) => trade.listingId))];
    // the mandates of the listings whose orders wait for an acceptance this participant may give or grant
    const awaited = [...new Set(trades.filter((t) => t.status === "ordered" && (isSeller(t) || isExchange(t))).map((t) => t.listingId))];
    mandates = {};
    await Promise.all([
      ...listings
        .filter((id) => !(id in titles))
        .map((id) =>
          S.api("GET", "/v1/listings/" + id).then(
            (listing) => (titles[id] = listing.content.title),
            () => (titles[id] = ""),
          ),
        ),
      ...awaited.map((id) =>
        S.api("GET", `/v1/listings/${id}/mandates`).then(
          (answer) => (mandates[id] = answer.items),
          () => (mandates[id] = null),
        ),
      ),
    ]);
    render(trades);
    pager(trades.length, total);
  }

  function pager(shown, total) {
    $("trade-pages").hidden = offset === 0 && total <= PAGE;
    $("trades-previous").disabled = offset === 0;
    $("trades-next").disabled = offset + shown >= total;
    $("trades-range").textContent = shown ? m("tr.page_range", { first: offset + 1, last: offset + shown, total }) : "";
  }

  $("trades-previous").addEventListener("click", () => {
    offset = Math.max(0, offset - PAGE);
    load();
  });
  $("trades-next").addEventListener("click", () => {
    offset += PAGE;
    load();
  });

  S.wireSignIn(load);
  S.onKey((unlocked) => {
    const mine = me && me.address && me.address.toLowerCase() === unlocked.address.toLowerCase();
    $("key-status").textContent = m(mine ? "key.key_ready" : "tr.key_not_mine", { address: unlocked.address });
  });

  const same = (a, b) => Boolean(a) && Boolean(b) && a.toLowerCase() === b.toLowerCase();
  const isSeller = (trade) => same(trade.seller.address, me.address);
  const isExchange = (trade) => trade.exchange.id === me.id;
  const asExchange = () => me.role === "exchange";
  const titleOf = (trade) => titles[trade.listingId] || trade.assetId;
  const when = (iso) => new Date(iso).toLocaleString(S.data.lang === "zh" ? "zh-CN" : "en-GB");

  function render(trades) {
    for (const section of document.querySelectorAll("#desk section[data-for]")) {
      section.hidden = (section.dataset.for === "exchange") !== asExchange();
    }
    if (asExchange()) {
      cards("mandated", trades.filter((trade) => isExchange(trade) && trade.status === "ordered"), "tr.none_mandated", "none-mandated");
      fill("listed", trades.filter(isExchange), "tr.none_listed");
      return;
    }
    cards("awaiting", trades.filter((trade) => isSeller(trade) && trade.status === "ordered"), "tr.none_awaiting", "none-awaiting");
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

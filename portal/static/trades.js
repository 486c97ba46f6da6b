// An enterprise's orders and trades (/workspace/trades): signs in with its API key, reads its own orders
// and trades from the API (/v1/trades: as buyer, as seller, as the listing exchange), and lets the holder
// accept an order awaiting it: the TradeAcceptance is prepared on the server, checked, shown in plain
// words and signed in this page through signing.js, with the holder's own key, which never leaves it.
"use strict";

(function () {
  const S = window.DataledgerSigning;
  const { m, element } = S;
  const $ = (id) => document.getElementById(id);
  const PAGE = 100;
  let me = null;
  const titles = {}; // listing id -> its title (the public listing)

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
    let trades;
    try {
      me = await S.api("GET", "/v1/participants/me");
      trades = (await S.api("GET", "/v1/trades?limit=" + PAGE)).items;
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
    await Promise.all(
      [...new Set(trades.map((trade) => trade.listingId))]
        .filter((id) => !(id in titles))
        .map((id) =>
          S.api("GET", "/v1/listings/" + id).then(
            (listing) => (titles[id] = listing.content.title),
            () => (titles[id] = ""),
          ),
        ),
    );
    render(trades);
  }

  S.wireSignIn(load);
  S.onKey((unlocked) => {
    const mine = me && me.address && me.address.toLowerCase() === unlocked.address.toLowerCase();
    $("key-status").textContent = m(mine ? "key.key_ready" : "tr.key_not_mine", { address: unlocked.address });
  });

  const isSeller = (trade) => Boolean(me.address) && trade.seller.address === me.address.toLowerCase();
  const titleOf = (trade) => titles[trade.listingId] || trade.assetId;

  function render(trades) {
    const awaiting = trades.filter((trade) => isSeller(trade) && trade.status === "ordered");
    const box = $("awaiting");
    box.replaceChildren();
    if (!awaiting.length) box.append(element("p", { "data-testid": "none-awaiting", text: m("tr.none_awaiting") }));
    for (const trade of awaiting) box.append(orderCard(trade));
    fill("bought", trades.filter((trade) => trade.buyer.id === me.id), "tr.none_bought");
    fill("sold", trades.filter((trade) => isSeller(trade) && trade.status !== "ordered"), "tr.none_sold");
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
          element("td", { "data-label": m("tr.ordered_at"), text: new Date(trade.orderedAt).toLocaleString(S.data.lang === "zh" ? "zh-CN" : "en-GB") }),
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
    add(m("tr.ordered_at"), new Date(trade.orderedAt).toLocaleString(S.data.lang === "zh" ? "zh-CN" : "en-GB"));
    add(m("tr.order_id"), trade.orderId, "hash");
    card.append(facts);
    const accept = element("button", { type: "button", "data-testid": "accept-order", text: m("tr.accept") });
    accept.addEventListener("click", () => acceptOrder(trade));
    card.append(element("div", { class: "actions" }, accept));
    return card;
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
      flash(m("key.failed", { reason: error.message }), false);
      if (!S.signer()) $("keystore").focus();
    }
  }

  if (S.apiKey()) load();
  else showSignIn(null);
})();

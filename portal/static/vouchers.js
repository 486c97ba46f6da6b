// Data vouchers, signed in with the participant's API key: an enterprise's balance in each programme and
// its issues and redemptions (/workspace/vouchers, from /workspace/vouchers/data), or a programme
// authority's programmes with their budget, what they issued and had redeemed, and the spend by
// enterprise and purpose (/programmes, from /programmes/data). Each data route answers only the
// participant whose key it is sent.
"use strict";

(function () {
  const S = window.DataledgerSigning;
  const { m, element } = S;
  const $ = (id) => document.getElementById(id);
  const authority = Boolean($("programmes"));
  const source = authority ? "/programmes/data" : "/workspace/vouchers/data";

  function showSignIn(error) {
    $("desk").hidden = true;
    $("sign-in-form").hidden = false;
    const box = $("sign-in-error");
    box.hidden = !error;
    box.textContent = error || "";
  }

  async function load() {
    let data;
    try {
      data = await S.api("GET", source);
    } catch (error) {
      if (error.status === 401 || error.status === 403) {
        S.clearApiKey();
        showSignIn(error.status === 403 ? m(authority ? "pg.not_authority" : "vo.not_enterprise") : m("key.bad_key"));
        return;
      }
      $("flash").className = "notice notice-bad";
      $("flash").textContent = error.message;
      return;
    }
    $("sign-in-form").hidden = true;
    $("desk").hidden = false;
    const who = data.participant;
    $("signed-in").textContent = m("key.signed_in_as", { name: who.name, address: who.address || "—" });
    if (authority) renderProgrammes(data.programmes);
    else renderHoldings(data);
  }

  S.wireSignIn(load);

  const cell = (label, text, attributes) => element("td", { "data-label": label, text, ...(attributes || {}) });
  const when = (iso) => new Date(iso).toLocaleString(S.data.lang === "zh" ? "zh-CN" : "en-GB");
  const purpose = (value) => (value ? m("purpose." + value) : "—");

  function emptyRow(body, columns, key) {
    body.append(element("tr", {}, element("td", { colspan: String(columns), text: m(key) })));
  }

  function renderHoldings(data) {
    const holdings = $("holdings");
    holdings.replaceChildren();
    if (!data.holdings.length) emptyRow(holdings, 4, "vo.none");
    for (const h of data.holdings) {
      holdings.append(
        element(
          "tr",
          { "data-programme-id": h.programmeId },
          cell(m("vo.programme"), h.name),
          cell(m("vo.issued"), S.money(h.issued, h.currency)),
          cell(m("vo.redeemed"), S.money(h.redeemed, h.currency)),
          cell(m("vo.balance"), S.money(h.balance, h.currency), { "data-testid": "balance" }),
        ),
      );
    }
    const movements = $("movements");
    movements.replaceChildren();
    if (!data.movements.length) emptyRow(movements, 6, "vo.no_movements");
    for (const mv of data.movements) {
      movements.append(
        element(
          "tr",
          { "data-kind": mv.kind },
          cell(m("vo.at"), when(mv.at)),
          cell(m("vo.programme"), mv.programmeName),
          cell(m("vo.kind"), mv.kind === "issue" ? m("vo.kind_issue") : m("vo.kind_redemption")),
          cell(m("vo.purpose"), purpose(mv.purpose)),
          cell(m("vo.value"), S.money(mv.value, mv.currency)),
          cell(m("vo.reference"), mv.referenceId || "—", { class: "hash" }),
        ),
      );
    }
  }

  function renderProgrammes(programmes) {
    const root = $("programmes");
    root.replaceChildren();
    if (!programmes.length) root.append(element("p", { "data-testid": "no-programmes", text: m("pg.none") }));
    for (const p of programmes) {
      const money = (value) => S.money(value, p.rules.currency);
      const id = "programme-" + p.programmeId.slice(2, 14);
      const section = element("section", { class: "application", "aria-labelledby": id, "data-testid": "programme", "data-programme-id": p.programmeId });
      section.append(element("h2", { id, text: p.name }));
      const facts = element("dl", { class: "facts" });
      const add = (name, value, testId) => facts.append(element("dt", { text: name }), element("dd", { text: value, "data-testid": testId }));
      add(m("pg.budget"), money(p.rules.budget), "budget");
      add(m("vo.issued"), money(p.issued), "issued");
      add(m("vo.redeemed"), money(p.redeemed), "redeemed");
      add(m("pg.left"), money(p.rules.budget - p.issued), "left");
      add(m("pg.share_cap"), m("pg.share_cap_value", { percent: (p.rules.shareCapBps / 100).toString() }));
      add(m("pg.enterprise_cap"), m("pg.enterprise_cap_value", { amount: money(p.rules.enterpriseCap), days: String(Math.round(p.rules.periodSeconds / 86400)) }));
      section.append(facts);
      const table = element("table", { class: "stack", "data-testid": "spend" });
      table.append(element("caption", { class: "hint", text: m("pg.spend_caption") }));
      const head = element("tr", {});
      const columns = [m("pg.enterprise"), m("vo.issued"), m("vo.redeemed"), m("purpose.trade"), m("purpose.registration-fee")];
      for (const name of columns) head.append(element("th", { scope: "col", text: name }));
      table.append(element("thead", {}, head));
      const body = element("tbody", {});
      if (!p.enterprises.length) emptyRow(body, columns.length, "pg.no_spend");
      for (const e of p.enterprises) {
        const by = Object.fromEntries(e.byPurpose.map((entry) => [entry.purpose, entry]));
        const spent = (name) => (by[name] ? m("pg.redemptions", { value: money(by[name].value), count: String(by[name].redemptions) }) : "—");
        body.append(
          element(
            "tr",
            { "data-enterprise": e.enterprise.address },
            cell(columns[0], (e.enterprise.name ? e.enterprise.name + " " : "") + e.enterprise.address),
            cell(columns[1], money(e.issued)),
            cell(columns[2], money(e.redeemed)),
            cell(columns[3], spent("trade")),
            cell(columns[4], spent("registration-fee")),
          ),
        );
      }
      table.append(body);
      section.append(table);
      root.append(section);
    }
  }

  if (S.apiKey()) load();
  else showSignIn(null);
})();

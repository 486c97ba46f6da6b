// The registrar's workbench: signs in with the registrar's API key, shows the queue of applications by
// state with the open objections and their evidence, the indexer's lag and the recent anchors, and
// performs each act (review, certificate, rejection, resolution, revocation) through signing.js: signed
// in this page with the registrar's own key, which never leaves it.
"use strict";

(function () {
  const S = window.DataledgerSigning;
  const { m, element, messages } = S;
  const $ = (id) => document.getElementById(id);
  let current = null; // the last workbench data
  const offsets = {}; // where each queue's page starts

  function flash(text, good) {
    const box = $("flash");
    box.className = "notice " + (good ? "notice-good" : "notice-bad");
    box.textContent = text;
  }

  // -- signing in ---------------------------------------------------------------------------------

  async function load() {
    try {
      current = await S.api("GET", "/workbench/data?" + new URLSearchParams(offsets).toString());
    } catch (error) {
      if (error.status === 401 || error.status === 403) {
        S.clearApiKey();
        showSignIn(error.status === 403 ? m("wb.not_registrar") : m("key.bad_key"));
        return;
      }
      flash(error.message, false);
      return;
    }
    $("sign-in-form").hidden = true;
    $("desk").hidden = false;
    $("signed-in").textContent = m("key.signed_in_as", { name: current.registrar.name, address: current.registrar.address });
    renderOperations(current);
    renderQueues(current);
  }

  function showSignIn(error) {
    $("desk").hidden = true;
    $("sign-in-form").hidden = false;
    const box = $("sign-in-error");
    box.hidden = !error;
    box.textContent = error || "";
  }

  S.wireSignIn(load);

  S.onKey((unlocked) => {
    const mine = current && String(current.registrar.address).toLowerCase() === unlocked.address.toLowerCase();
    $("key-status").textContent = m(mine ? "key.key_ready" : "wb.key_not_registrar", { address: unlocked.address });
  });

  // -- the queue ----------------------------------------------------------------------------------

  function renderOperations(state) {
    const ops = state.operations;
    const list = $("operations");
    list.replaceChildren();
    const lag = ops.indexerLagBlocks;
    const rows = [
      [m("wb.indexer_lag"), lag === null || lag === undefined ? m("wb.not_running") : m("wb.blocks", { count: lag })],
      [m("wb.outbox_depth"), String(ops.outboxDepth || 0)],
      [m("wb.chain_time"), S.localTime(state.chainTime)],
    ];
    for (const [name, value] of rows) list.append(element("dt", { text: name }), element("dd", { text: value }));
    const anchors = $("anchors");
    anchors.replaceChildren();
    for (const anchor of state.recentAnchors) {
      anchors.append(
        element(
          "tr",
          {},
          element("td", { "data-label": m("wb.anchor_kind"), text: anchor.kind }),
          element("td", { "data-label": m("wb.anchor_leaves"), text: String(anchor.leafCount) }),
          element("td", { "data-label": "#", text: String(anchor.blockNumber) }),
          element("td", { "data-label": "tx", class: "hash", text: anchor.txHash }),
        ),
      );
    }
  }

  const QUEUE_TITLES = {
    registered: "wb.queue_registered",
    under_review: "wb.queue_under_review",
    in_notice: "wb.queue_in_notice",
    certified: "wb.queue_certified",
    pledges: "wb.queue_pledges",
  };

  function renderQueues(state) {
    const root = $("queues");
    root.replaceChildren();
    for (const [name, titleKey] of Object.entries(QUEUE_TITLES)) {
      const queue = state.queues[name];
      const section = element("section", { "aria-labelledby": "queue-" + name, "data-testid": "queue-" + name });
      section.append(element("h2", { id: "queue-" + name, text: m(titleKey) + " (" + queue.total + ")" }));
      if (!queue.items.length) section.append(element("p", { text: m("wb.queue_empty") }));
      for (const item of queue.items) section.append(application(item));
      if (queue.total > state.pageSize) section.append(pager(name, queue, state.pageSize));
      root.append(section);
    }
  }

  function pager(name, queue, size) {
    const nav = element("nav", { class: "pager", "aria-label": m("wb.pages"), "data-testid": "pager-" + name });
    const go = (offset) => {
      offsets[name] = offset;
      load();
    };
    if (queue.offset > 0) {
      const previous = element("button", { type: "button", class: "secondary", text: m("wb.previous") });
      previous.addEventListener("click", () => go(Math.max(0, queue.offset - size)));
      nav.append(previous);
    }
    nav.append(element("span", { text: m("wb.showing", { from: queue.offset + 1, to: Math.min(queue.total, queue.offset + size), total: queue.total }) }));
    if (queue.offset + size < queue.total) {
      const next = element("button", { type: "button", class: "secondary", "data-testid": "next-" + name, text: m("wb.next") });
      next.addEventListener("click", () => go(queue.offset + size));
      nav.append(next);
    }
    return nav;
  }

  function application(item) {
    if (item.state === "pledged") return pledgeCard(item);
    const card = element("article", { class: "application", "data-testid": "application", "data-asset-id": item.assetId, "data-state": item.state });
    card.append(element("h3", {}, element("a", { href: "/assets/" + item.assetId, text: item.name })));
    const facts = element("dl", { class: "facts" });
    const add = (name, value, cls) => value && facts.append(element("dt", { text: name }), element("dd", { text: value, class: cls }));
    add(m("wb.holder"), item.holderName + " " + item.holderAddress);
    add(m("wb.right"), messages["right." + item.rightClaimed] || item.rightClaimed);
    add(m("wb.source"), item.source);
    add(m("wb.scale"), item.scale);
    add(m("wb.content_hash"), item.contentHash, "hash");
    if (item.state === "in_notice" && item.noticeEndsAt) {
      add(m("wb.notice_ends"), S.localTime(item.noticeEndsAt) + (item.noticeEnded ? " · " + m("wb.notice_ended") : ""));
    }
    card.append(facts);
    const reasonId = "reason-" + item.assetId;
    const reason = element("input", { type: "text", id: reasonId, value: defaultReason(item), maxlength: "500" });
    card.append(element("label", { for: reasonId, text: m("wb.reason") }), reason);
    const actions = element("div", { class: "actions" });
    const button = (testId, key, handler, disabled) => {
      const node = element("button", { type: "button", "data-testid": testId, disabled: disabled || false, text: m(key) });
      node.addEventListener("click", handler);
      actions.append(node);
    };
    const text = () => reason.value.trim();
    const reject = () => assetAct(item, "rejection", { reason: text() }, {}, { reasonHash: text() });
    if (item.state === "registered" || item.state === "under_review") {
      const stage = item.state === "registered" ? "formal" : "substantive";
      const review = () =>
        assetAct(item, "review", { stage, passed: true, reason: text() }, { stage: stage === "formal" ? 0 : 1, passed: true }, { reasonHash: text() });
      button(stage + "-review", stage === "formal" ? "wb.formal_review" : "wb.substantive_review", review);
      button("reject", "wb.reject", reject);
    }
    if (item.state === "in_notice") {
      const blocked = !item.noticeEnded || item.openObjections.length > 0;
      button("issue", "wb.issue", () => assetAct(item, "certificate", {}, {}, {}), blocked);
      button("reject", "wb.reject", reject);
      for (const objection of item.openObjections) card.append(objectionBox(item, objection, text));
    }
    if (item.state === "certified") {
      if (item.validUntil) {
        const due = item.renewalDue ? " · " + m("wb.renewal_due") : item.renewable ? "" : " · " + m("wb.expired");
        const expiry = element("p", { "data-testid": "valid-until", class: item.renewalDue ? "countdown" : null, text: m("wb.valid_until", { date: S.localTime(item.validUntil) }) + due });
        card.insertBefore(expiry, facts.nextSibling);
        button("renew", "wb.renew", () => assetAct(item, "renewal", {}, {}, {}), !item.renewable);
      }
      button("revoke", "wb.revoke", () => assetAct(item, "revocation", { reason: text() }, {}, { reasonHash: text() }));
    }
    card.append(actions);
    return card;
  }

  // A pledge both parties signed, awaiting its registration certificate: the registrar files it and
  // signs the PledgeCertificate (over the credential's hash) here.
  function pledgeCard(item) {
    const card = element("article", { class: "application", "data-testid": "pledge", "data-asset-id": item.assetId, "data-state": item.state });
    card.append(element("h3", {}, element("a", { href: "/assets/" + item.assetId, text: item.name })));
    const facts = element("dl", { class: "facts" });
    const add = (name, value, cls) => value && facts.append(element("dt", { text: name }), element("dd", { text: value, class: cls }));
    add(m("wb.pledgor"), item.holderAddress, "hash");
    add(m("wb.pledgee"), (item.pledgeeName ? item.pledgeeName + " " : "") + item.pledgeeAddress);
    add(m("wb.secured"), S.money(item.securedAmount, item.currency));
    add(m("wb.maturity"), S.localTime(item.maturity));
    add(m("wb.pledged_tx"), item.pledgedTx, "hash");
    card.append(facts);
    const actions = element("div", { class: "actions" });
    const issue = element("button", { type: "button", "data-testid": "issue-pledge-certificate", text: m("wb.issue_pledge_certificate") });
    issue.addEventListener("click", () => pledgeCertificate(item));
    actions.append(issue);
    card.append(actions);
    return card;
  }

  async function pledgeCertificate(item) {
    try {
      const done = await S.perform({
        prepare: `/v1/assets/${item.assetId}/pledge-certificate-requests`,
        submit: `/v1/assets/${item.assetId}/pledge-certificates`,
        body: {},
        primaryType: "PledgeCertificate",
        expected: (registrar) => ({ registrar, assetId: item.assetId, pledgee: item.pledgeeAddress }),
        subject: item.name,
        carry: ["certificateNumber", "issuedAt"],
      });
      if (done === null) {
        flash(m("key.cancelled"), false);
        return;
      }
      const number = done.credentialSubject.pledgeCertificateNumber;
      await load();
      flash(m("wb.pledge_certified", { number }), true);
      const link = element("a", { href: "/pledge-certificates?number=" + encodeURIComponent(number), "data-testid": "pledge-certificate-link", text: m("wb.pledge_certificate_page") });
      $("flash").append(" ", link);
    } catch (error) {
      flash(m("key.failed", { reason: error.message }), false);
      if (!S.signer()) $("keystore").focus();
    }
  }

  function defaultReason(item) {
    if (item.state === "registered") return m("wb.reason_formal");
    if (item.state === "under_review") return m("wb.reason_substantive");
    return "";
  }

  function objectionBox(item, objection, text) {
    const box = element("div", { class: "objection", "data-testid": "objection" });
    box.append(element("p", { text: m("wb.objection", { id: objection.objectionId, objector: objection.objectorAddress }) }));
    box.append(element("p", { text: objection.reason }));
    box.append(element("p", { class: "hash", text: m("wb.evidence", { hash: objection.evidenceHash }) }));
    for (const [upheld, testId, key] of [[false, "dismiss", "wb.dismiss"], [true, "uphold", "wb.uphold"]]) {
      const node = element("button", { type: "button", "data-testid": testId, text: m(key) });
      node.addEventListener("click", () => {
        const resolution = text() || m(key);
        run(item, "ObjectionResolution", {
          prepare: `/v1/objections/${objection.objectionId}/resolution-requests`,
          submit: `/v1/objections/${objection.objectionId}/resolution`,
          body: { upheld, resolution },
          expected: (registrar) => ({ registrar, objectionId: objection.objectionId, upheld }),
          texts: { resolutionHash: resolution },
        });
      });
      box.append(node);
    }
    return box;
  }

  // -- the acts -----------------------------------------------------------------------------------

  const ASSET_ACTS = {
    review: ["Review", "review-requests", "reviews"],
    rejection: ["Rejection", "rejection-requests", "rejection"],
    certificate: ["Certificate", "certificate-requests", "certificates"],
    revocation: ["Revocation", "revocation-requests", "revocation"],
    renewal: ["Renewal", "renewal-requests", "renewal"],
  };

  function assetAct(item, kind, body, expected, texts) {
    const [primaryType, prepare, submit] = ASSET_ACTS[kind];
    return run(item, primaryType, {
      prepare: `/v1/assets/${item.assetId}/${prepare}`,
      submit: `/v1/assets/${item.assetId}/${submit}`,
      body,
      expected: (registrar) => ({ registrar, assetId: item.assetId, ...expected }),
      texts,
    });
  }

  async function run(item, primaryType, act) {
    try {
      const done = await S.perform({ ...act, primaryType, subject: item.name, carry: ["certificateNumber", "issuedAt"] });
      if (done === null) {
        flash(m("key.cancelled"), false);
        return;
      }
      flash(m("wb.done", { act: m("sign.type." + primaryType), tx: S.txOf(done) }), true);
      await load();
    } catch (error) {
      flash(m("key.failed", { reason: error.message }), false);
      if (!S.signer()) $("keystore").focus();
    }
  }

  if (S.apiKey()) load();
  else showSignIn(null);
})();

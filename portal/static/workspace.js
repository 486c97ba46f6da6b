// The enterprise's workspace: signs in with the enterprise's API key; registers a dataset whose file is
// hashed here by a Web Worker (a streaming SHA-256 over File.slice chunks: the file is never uploaded,
// only its hash is sent), the registration signed in this page through signing.js; and lists the
// enterprise's assets a page at a time with their state, certificates and pledges, grants a licence on a
// certified one and records its pledge to a bank (the terms' salt drawn here, their hash checked here).
"use strict";

(function () {
  const S = window.DataledgerSigning;
  const { m, element, messages } = S;
  const $ = (id) => document.getElementById(id);
  const WORKER = "/static/portal/hash.worker.bundle.js";
  const PAGE = 10; // assets per page
  let offset = 0; // where the page of assets shown starts
  let me = null; // the signed-in participant
  let worker = null; // the hashing in progress, if any
  let contentHash = null; // the hash of the chosen file, once computed

  function flash(text, good) {
    const box = $("flash");
    box.className = "notice " + (good ? "notice-good" : "notice-bad");
    box.textContent = text;
  }

  // -- signing in ---------------------------------------------------------------------------------

  async function load() {
    try {
      me = await S.api("GET", "/v1/participants/me");
    } catch (error) {
      if (error.status === 401 || error.status === 403) {
        S.clearApiKey();
        showSignIn(m("key.bad_key"));
        return;
      }
      showSignIn(error.message);
      return;
    }
    if (me.role !== "enterprise") {
      S.clearApiKey();
      showSignIn(m("ws.not_enterprise"));
      return;
    }
    $("sign-in-form").hidden = true;
    $("desk").hidden = false;
    $("signed-in").textContent = m("key.signed_in_as", { name: me.name, address: me.address });
    await loadAssets();
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
    const mine = me && String(me.address).toLowerCase() === unlocked.address.toLowerCase();
    $("key-status").textContent = m(mine ? "key.key_ready" : "ws.key_not_mine", { address: unlocked.address });
  });

  // -- hashing the file, in a worker --------------------------------------------------------------

  function megabytes(bytes) {
    return (bytes / (1024 * 1024)).toFixed(1);
  }

  function stopHashing() {
    if (worker) worker.terminate();
    worker = null;
    $("hashing").hidden = true;
  }

  function setHash(hash) {
    contentHash = hash;
    $("content-hash").textContent = hash || "";
    $("register").disabled = !hash;
  }

  $("data-file").addEventListener("change", () => {
    stopHashing();
    setHash(null);
    $("registered").hidden = true;
    const file = $("data-file").files[0];
    if (!file) {
      $("hash-status").textContent = m("ws.no_file");
      return;
    }
    if (!$("asset-name").value.trim()) $("asset-name").value = file.name;
    if (!$("asset-scale").value.trim()) $("asset-scale").value = m("ws.bytes", { count: file.size });
    const progress = $("hash-progress");
    progress.value = 0;
    $("hashing").hidden = false;
    $("hash-status").textContent = m("ws.hashing");
    const started = performance.now();
    const current = new Worker(WORKER);
    worker = current;
    current.onmessage = (event) => {
      if (worker !== current) return; // a cancelled or replaced hashing
      const answer = event.data;
      if (answer.type === "progress") {
        progress.value = answer.total ? answer.done / answer.total : 1;
        $("hash-status").textContent = m("ws.hash_progress", { done: megabytes(answer.done), total: megabytes(answer.total) });
      } else if (answer.type === "done") {
        stopHashing();
        setHash(answer.hash);
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        $("hash-status").textContent = m("ws.hash_done", { size: megabytes(answer.size), seconds });
      } else {
        stopHashing();
        $("hash-status").textContent = m("ws.hash_failed", { reason: answer.message });
      }
    };
    current.onerror = () => {
      if (worker !== current) return;
      stopHashing();
      $("hash-status").textContent = m("ws.hash_failed", { reason: "worker" });
    };
    current.postMessage({ file });
  });

  $("hash-cancel").addEventListener("click", () => {
    stopHashing();
    setHash(null);
    $("data-file").value = "";
    $("hash-status").textContent = m("ws.hash_cancelled");
  });

  // -- registering --------------------------------------------------------------------------------

  function facts() {
    const value = (id) => $(id).value.trim();
    return {
      name: value("asset-name"),
      contentHash,
      description: value("asset-description"),
      source: value("asset-source"),
      collectionMethod: value("asset-collection"),
      scale: value("asset-scale"),
      updateFrequency: value("asset-frequency"),
      industry: value("asset-industry"),
      rightClaimed: $("asset-right").value,
    };
  }

  const RIGHTS = ["data-resource-holding", "data-processing-and-use", "data-product-operation"];

  $("register-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!contentHash) {
      flash(m("ws.hash_first"), false);
      return;
    }
    const body = { facts: facts() };
    if (!body.facts.name) {
      flash(m("ws.name_missing"), false);
      $("asset-name").focus();
      return;
    }
    $("register").disabled = true;
    try {
      const asset = await S.perform({
        prepare: "/v1/assets/registration-requests",
        submit: "/v1/assets",
        body,
        primaryType: "Registration",
        expected: (holder) => ({ holder, contentHash, right: RIGHTS.indexOf(body.facts.rightClaimed) }),
        subject: body.facts.name,
        carry: ["salt"],
      });
      if (asset === null) {
        flash(m("key.cancelled"), false);
        return;
      }
      showRegistered(asset);
      flash(m("ws.done", { tx: S.txOf(asset) }), true);
      await loadAssets();
    } catch (error) {
      flash(m("key.failed", { reason: error.message }), false);
      if (!S.signer()) $("keystore").focus();
    } finally {
      $("register").disabled = !contentHash;
    }
  });

  function showRegistered(asset) {
    $("registered-name").textContent = asset.facts.name;
    $("registered-asset").textContent = asset.assetId;
    $("registered-tx").textContent = S.txOf(asset);
    $("registered-link").href = "/assets/" + asset.assetId;
    $("registered").hidden = false;
  }

  // -- the enterprise's assets --------------------------------------------------------------------

  // A page of the enterprise's assets: one more than shown is asked for, to know whether a next page exists.
  async function loadAssets() {
    const root = $("assets");
    let assets;
    try {
      assets = (await S.api("GET", `/v1/assets?limit=${PAGE + 1}&offset=${offset}`)).items;
    } catch (error) {
      flash(error.message, false);
      return;
    }
    if (!assets.length && offset > 0) {
      offset = Math.max(0, offset - PAGE); // the page emptied (it cannot today; keep the pager honest)
      return loadAssets();
    }
    const more = assets.length > PAGE;
    assets = assets.slice(0, PAGE);
    const [certificates, pledges] = await Promise.all([
      Promise.all(assets.map((asset) => S.api("GET", "/v1/assets/" + asset.assetId + "/certificates").then((answer) => answer.items, () => []))),
      Promise.all(
        assets.map((asset) =>
          asset.state === "certified" ? S.api("GET", "/v1/assets/" + asset.assetId + "/pledges").then((answer) => answer.items, () => []) : [],
        ),
      ),
    ]);
    root.replaceChildren();
    if (!assets.length) root.append(element("p", { text: m("ws.no_assets") }));
    assets.forEach((asset, index) => root.append(card(asset, certificates[index], pledges[index])));
    $("asset-pages").hidden = offset === 0 && !more;
    $("assets-previous").disabled = offset === 0;
    $("assets-next").disabled = !more;
    $("assets-range").textContent = assets.length ? m("ws.page_range", { first: offset + 1, last: offset + assets.length }) : "";
  }

  $("assets-previous").addEventListener("click", () => {
    offset = Math.max(0, offset - PAGE);
    loadAssets().then(() => $("assets-title").focus());
  });
  $("assets-next").addEventListener("click", () => {
    offset += PAGE;
    loadAssets().then(() => $("assets-title").focus());
  });

  function card(asset, certificates, pledges) {
    const node = element("article", { class: "application", "data-testid": "asset", "data-asset-id": asset.assetId, "data-state": asset.state });
    node.append(element("h3", {}, element("a", { href: "/assets/" + asset.assetId, text: asset.facts.name })));
    const facts = element("dl", { class: "facts" });
    const add = (name, value, cls) => value && facts.append(element("dt", { text: name }), element("dd", { text: value, class: cls }));
    add(m("ws.state"), messages["status." + asset.state] || asset.state);
    add(m("ws.right"), messages["right." + asset.facts.rightClaimed] || asset.facts.rightClaimed);
    add(m("ws.asset_id"), asset.assetId, "hash");
    add(m("ws.content_hash"), asset.contentHash, "hash");
    add(m("ws.tx_hash"), asset.chainEvidence ? asset.chainEvidence.txHash : "", "hash");
    node.append(facts);
    if (certificates.length) {
      const list = element("ul", { class: "certificates", "aria-label": m("ws.certificates") });
      for (const certificate of certificates) {
        const item = element("li", { "data-testid": "certificate", "data-number": certificate.number });
        item.append(
          element("span", { text: m("ws.certificate", { number: certificate.number, status: messages["status." + certificate.status] || certificate.status }) + " " }),
          element("a", { href: "/verify?number=" + encodeURIComponent(certificate.number), text: m("ws.verify") }),
          document.createTextNode(" · "),
          element("a", { href: "/certificates/" + encodeURIComponent(certificate.number) + ".pdf", text: m("ws.pdf") }),
        );
        list.append(item);
      }
      node.append(element("h4", { text: m("ws.certificates") }), list);
    } else {
      node.append(element("p", { class: "hint", text: m("ws.no_certificate") }));
    }
    if (asset.state === "certified") {
      node.append(licenceForm(asset));
      const active = (pledges || []).find((pledge) => pledge.status === "active");
      if (active) {
        node.append(element("p", { class: "notice", "data-testid": "pledged", text: m("ws.pledged", { pledgee: active.pledgeeAddress, tx: active.chainEvidence.txHash }) }));
      } else {
        node.append(pledgeForm(asset));
      }
    }
    return node;
  }

  // -- granting a licence -------------------------------------------------------------------------

  function field(form, id, label, input) {
    input.id = id;
    form.append(element("label", { for: id, text: label }), input);
    return input;
  }

  function licenceForm(asset) {
    const box = element("details", { class: "licence", "data-testid": "licence" });
    box.append(element("summary", { text: m("ws.licence_grant") }));
    const form = element("form", { class: "panel" });
    const id = (name) => name + "-" + asset.assetId.slice(2, 12);
    const licensee = field(form, id("licensee"), m("ws.licensee"), element("input", { type: "text", required: true, pattern: "0x[0-9a-fA-F]{40}", placeholder: "0x…" }));
    const scope = field(form, id("scope"), m("ws.licence_scope"), element("input", { type: "text", required: true, maxlength: "2000" }));
    const purpose = field(form, id("purpose"), m("ws.licence_purpose"), element("input", { type: "text", required: true, maxlength: "2000" }));
    const nextYear = new Date(Date.now() + 365 * 86400 * 1000).toISOString().slice(0, 10);
    const until = field(form, id("until"), m("ws.licence_until"), element("input", { type: "date", required: true, value: nextYear }));
    const uses = field(form, id("uses"), m("ws.licence_uses"), element("input", { type: "number", min: "1", max: "4294967295", value: "10", required: true }));
    const derivatives = element("input", { type: "checkbox", id: id("derivatives") });
    const commercial = element("input", { type: "checkbox", id: id("commercial") });
    form.append(
      element("p", {}, derivatives, element("label", { for: derivatives.id, class: "inline", text: m("ws.licence_derivatives") })),
      element("p", {}, commercial, element("label", { for: commercial.id, class: "inline", text: m("ws.licence_commercial") })),
    );
    const submit = element("button", { type: "submit", "data-testid": "grant", text: m("ws.licence_sign") });
    form.append(submit);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      const body = {
        assetId: asset.assetId,
        licensee: licensee.value.trim(),
        scope: scope.value.trim(),
        purpose: purpose.value.trim(),
        validUntil: Math.floor(Date.parse(until.value + "T23:59:59Z") / 1000),
        maxUses: Number(uses.value),
        derivativesAllowed: derivatives.checked,
        commercial: commercial.checked,
      };
      submit.disabled = true;
      try {
        const licence = await S.perform({
          prepare: "/v1/licences/requests",
          submit: "/v1/licences",
          body,
          primaryType: "Licence",
          expected: () => ({
            assetId: body.assetId,
            licensee: body.licensee,
            maxUses: body.maxUses,
            validUntil: body.validUntil,
            derivativesAllowed: body.derivativesAllowed,
            commercial: body.commercial,
          }),
          subject: asset.facts.name,
          carry: ["salt", "validFrom"],
        });
        if (licence === null) {
          flash(m("key.cancelled"), false);
          return;
        }
        flash(m("ws.licence_done", { id: licence.licenceId, tx: S.txOf(licence) }), true);
        box.open = false;
      } catch (error) {
        flash(m("key.failed", { reason: error.message }), false);
        if (!S.signer()) $("keystore").focus();
      } finally {
        submit.disabled = false;
      }
    });
    box.append(form);
    return box;
  }

  // -- pledging an asset: the holder signs here, the pledgee signs in its own workspace -----------
  // A pledge is a contract of two parties: both sign the same terms (the holder its Pledge, the pledgee
  // its PledgeAcceptance), each with its own key, and either files both signatures. The holder prepares
  // and signs it here and hands the pledgee the signed offer (a JSON text); the pledgee pastes it into
  // its workspace, which prepares its own message of the same terms, signs it and files the pledge.

  const OFFER_KIND = "dataledger.pledge-offer.v1";

  function randomSalt() {
    const bytes = window.crypto.getRandomValues(new Uint8Array(32));
    return "0x" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // The salted hash of a pledge's text as the registry takes it (registry.assets.text_commitment):
  // SHA-256 of the canonical JSON of {kind, salt, text, v}; the members are written in RFC 8785's order
  // and JSON.stringify writes strings as RFC 8785 does.
  const commitment = (kind, text, salt) =>
    S.sha256Bytes(new TextEncoder().encode(JSON.stringify({ kind, salt, text, v: "dataledger.text.v1" })));

  // The pledge's terms as both parties' messages carry them, recomputed here from the texts.
  async function pledgeFields(offer, salt) {
    return {
      termsHash: await commitment("pledge-terms", offer.terms, salt),
      valuationHash: await commitment("pledge-valuation", offer.valuation, salt),
      securedAmount: offer.securedAmount,
      currency: offer.currency,
      maturity: offer.maturity,
    };
  }

  // What both signers see besides the message: the texts behind its two hashes, as typed.
  const pledgeTexts = (offer) => [
    [m("ws.pledge_terms"), offer.terms],
    [m("ws.pledge_valuation"), offer.valuation],
  ];

  function offerOf(body) {
    const { pledgee, terms, securedAmount, currency, maturity, valuation } = body;
    return { pledgee, terms, securedAmount, currency, maturity, valuation };
  }

  function pledgeForm(asset) {
    const box = element("details", { class: "pledge", "data-testid": "pledge" });
    box.append(element("summary", { text: m("ws.pledge_record") }));
    const form = element("form", { class: "panel" });
    const id = (name) => name + "-" + asset.assetId.slice(2, 12);
    form.append(element("p", { class: "hint", text: m("ws.pledge_hint") }));
    const pledgee = field(form, id("pledgee"), m("ws.pledgee"), element("input", { type: "text", required: true, pattern: "0x[0-9a-fA-F]{40}", placeholder: "0x…", autocomplete: "off", spellcheck: "false" }));
    const terms = field(form, id("terms"), m("ws.pledge_terms"), element("textarea", { required: true, maxlength: "2000", rows: "3", class: "prose" }));
    const amount = field(form, id("amount"), m("ws.pledge_amount"), element("input", { type: "number", required: true, min: "0.01", step: "0.01", inputmode: "decimal" }));
    const currency = field(form, id("currency"), m("ws.pledge_currency"), element("input", { type: "text", required: true, pattern: "[A-Z]{3}", maxlength: "3", value: "CNY", autocomplete: "off" }));
    const nextYear = new Date(Date.now() + 365 * 86400 * 1000).toISOString().slice(0, 10);
    const maturity = field(form, id("maturity"), m("ws.pledge_maturity"), element("input", { type: "date", required: true, value: nextYear }));
    const valuation = field(form, id("valuation"), m("ws.pledge_valuation"), element("textarea", { required: true, maxlength: "4000", rows: "2", class: "prose" }));
    const submit = element("button", { type: "submit", "data-testid": "pledge-sign", text: m("ws.pledge_sign") });
    form.append(submit);
    const handOver = element("div", { class: "notice notice-good", "data-testid": "pledge-offer-box", hidden: true });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      const offer = {
        pledgee: pledgee.value.trim(),
        terms: terms.value.trim(),
        securedAmount: Math.round(Number(amount.value) * 100),
        currency: currency.value.trim(),
        maturity: Math.floor(Date.parse(maturity.value + "T23:59:59Z") / 1000),
        valuation: valuation.value.trim(),
      };
      const salt = randomSalt();
      submit.disabled = true;
      try {
        if (!S.signer()) throw new Error(m("key.unlock_first"));
        const prepared = await S.api("POST", `/v1/assets/${asset.assetId}/pledge-requests`, { ...offer, salt });
        const fields = await pledgeFields(offer, salt);
        const signature = await S.signPrepared({
          typedData: prepared.holder.typedData,
          primaryType: "Pledge",
          expected: () => ({ assetId: asset.assetId, pledgee: offer.pledgee, ...fields }),
          subject: asset.facts.name,
          shown: pledgeTexts(offer),
          confirmText: m("ws.pledge_sign_only"), // nothing is filed until the pledgee countersigns
        });
        if (signature === null) {
          flash(m("key.cancelled"), false);
          return;
        }
        const signedOffer = {
          kind: OFFER_KIND,
          assetId: asset.assetId,
          assetName: asset.facts.name,
          holder: S.signer().address,
          ...offer,
          salt,
          byHolder: { nonce: prepared.holder.nonce, deadline: prepared.holder.deadline, signature },
        };
        showOffer(handOver, signedOffer);
        flash(m("ws.pledge_signed"), true);
      } catch (error) {
        flash(m("key.failed", { reason: error.message }), false);
        if (!S.signer()) $("keystore").focus();
      } finally {
        submit.disabled = false;
      }
    });
    box.append(form, handOver);
    return box;
  }

  function showOffer(box, signedOffer) {
    const text = JSON.stringify(signedOffer, null, 1);
    const area = element("textarea", { readonly: true, rows: "8", class: "hash", id: "offer-" + signedOffer.assetId.slice(2, 12), "data-testid": "pledge-offer" });
    area.value = text;
    const copy = element("button", { type: "button", class: "secondary", text: m("ws.pledge_copy") });
    copy.addEventListener("click", () => {
      area.select();
      navigator.clipboard.writeText(text).then(() => flash(m("ws.pledge_copied"), true), () => {});
    });
    box.replaceChildren(
      element("p", { text: m("ws.pledge_hand_over", { pledgee: signedOffer.pledgee }) }),
      element("label", { for: area.id, text: m("ws.pledge_offer") }),
      area,
      copy,
    );
    box.hidden = false;
  }

  // The pledgee's side: the holder's signed offer pasted, checked, countersigned and filed.
  $("accept-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    let offered;
    try {
      offered = JSON.parse($("accept-offer").value);
    } catch (error) {
      flash(m("ws.accept_not_offer"), false);
      return;
    }
    if (!offered || offered.kind !== OFFER_KIND || !offered.byHolder || !/^0x[0-9a-fA-F]{64}$/.test(String(offered.assetId))) {
      flash(m("ws.accept_not_offer"), false);
      return;
    }
    if (String(offered.pledgee).toLowerCase() !== String(me.address).toLowerCase()) {
      flash(m("ws.accept_not_yours", { pledgee: offered.pledgee }), false);
      return;
    }
    const offer = offerOf(offered);
    const button = $("accept-sign");
    button.disabled = true;
    try {
      if (!S.signer()) throw new Error(m("key.unlock_first"));
      const prepared = await S.api("POST", `/v1/assets/${offered.assetId}/pledge-requests`, { ...offer, salt: offered.salt });
      const fields = await pledgeFields(offer, offered.salt);
      const signature = await S.signPrepared({
        typedData: prepared.pledgee.typedData,
        primaryType: "PledgeAcceptance",
        expected: () => ({ assetId: offered.assetId, holder: offered.holder, ...fields }),
        subject: String(offered.assetName || offered.assetId),
        shown: pledgeTexts(offer),
      });
      if (signature === null) {
        flash(m("key.cancelled"), false);
        return;
      }
      const pledge = await S.api("POST", `/v1/assets/${offered.assetId}/pledges`, {
        ...offer,
        salt: offered.salt,
        byHolder: offered.byHolder,
        byPledgee: { nonce: prepared.pledgee.nonce, deadline: prepared.pledgee.deadline, signature },
      });
      flash(m("ws.pledge_done", { pledgee: pledge.pledgeeAddress, tx: S.txOf(pledge) }), true);
      $("accept-offer").value = "";
    } catch (error) {
      flash(m("key.failed", { reason: error.message }), false);
      if (!S.signer()) $("keystore").focus();
    } finally {
      button.disabled = false;
    }
  });

  if (S.apiKey()) load();
  else showSignIn(null);
})();

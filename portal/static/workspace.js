// The enterprise's workspace: signs in with the enterprise's API key; registers a dataset whose file is
// hashed here by a Web Worker (a streaming SHA-256 over File.slice chunks: the file is never uploaded,
// only its hash is sent), the registration signed in this page through signing.js; and lists the
// enterprise's assets with their state and certificates, and grants a licence on a certified one.
"use strict";

(function () {
  const S = window.DataledgerSigning;
  const { m, element, messages } = S;
  const $ = (id) => document.getElementById(id);
  const WORKER = "/static/portal/hash.worker.bundle.js";
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

  async function loadAssets() {
    const root = $("assets");
    let assets;
    try {
      assets = (await S.api("GET", "/v1/assets?limit=100")).items;
    } catch (error) {
      flash(error.message, false);
      return;
    }
    const certificates = await Promise.all(
      assets.map((asset) => S.api("GET", "/v1/assets/" + asset.assetId + "/certificates").then((answer) => answer.items, () => [])),
    );
    root.replaceChildren();
    if (!assets.length) root.append(element("p", { text: m("ws.no_assets") }));
    assets.forEach((asset, index) => root.append(card(asset, certificates[index])));
  }

  function card(asset, certificates) {
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
    if (asset.state === "certified") node.append(licenceForm(asset));
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

  if (S.apiKey()) load();
  else showSignIn(null);
})();

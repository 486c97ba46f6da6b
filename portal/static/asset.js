// The asset page's signed-in view: with the reader's API key (this tab's sessionStorage, a bearer
// header), the asset as the API shows it to that reader (its facts whole for the holder and oversight),
// and for oversight (registrars, auditors) each act of the timeline checked against the chain.
"use strict";

(function () {
  const S = window.DataledgerSigning;
  const { m, element } = S;
  const $ = (id) => document.getElementById(id);
  const assetId = document.querySelector("[data-testid=signed-view]").dataset.assetId;
  const OVERSIGHT = ["registrar", "auditor", "admin"];
  const FACTS = ["description", "source", "collectionMethod", "scale", "updateFrequency", "industry"];

  function showSignIn(error) {
    $("viewer").hidden = true;
    $("sign-in-form").hidden = false;
    $("sign-in-error").hidden = !error;
    $("sign-in-error").textContent = error || "";
  }

  async function load() {
    let me;
    try {
      me = await S.api("GET", "/v1/participants/me");
    } catch (error) {
      S.clearApiKey();
      showSignIn(m("key.bad_key"));
      return;
    }
    $("sign-in-form").hidden = true;
    $("viewer").hidden = false;
    $("signed-in").textContent = m("key.signed_in_as", { name: me.name, address: me.address || "" });
    const asset = await S.api("GET", `/v1/assets/${assetId}`);
    const facts = $("whole-facts");
    facts.replaceChildren();
    if (asset.facts) {
      for (const name of FACTS) {
        if (asset.facts[name]) facts.append(element("dt", { text: m("asset.fact." + name) }), element("dd", { text: asset.facts[name] }));
      }
      facts.hidden = false;
      $("viewer-note").textContent = m("asset.whole_view");
    } else {
      facts.hidden = true;
      $("viewer-note").textContent = m("asset.public_only");
    }
    if (OVERSIGHT.includes(me.role)) await checkTimeline();
  }

  async function checkTimeline() {
    const history = await S.api("GET", `/v1/assets/${assetId}/history?check=true&limit=200`);
    for (const item of history.items) {
      const evidence = item.chainEvidence;
      const entry = document.querySelector(`li[data-tx="${evidence.txHash}"][data-log-index="${evidence.logIndex}"]`);
      if (!entry || !item.chainCheck) continue;
      const mark = entry.querySelector("[data-testid=chain-check]");
      mark.className = "chain-check " + (item.chainCheck.passed ? "result-passed" : "result-failed");
      mark.dataset.passed = String(item.chainCheck.passed);
      mark.textContent = item.chainCheck.passed ? m("asset.check_passed") : m("asset.check_failed", { detail: item.chainCheck.detail });
    }
  }

  S.wireSignIn(load);

  if (S.apiKey()) load();
  else showSignIn(null);
})();

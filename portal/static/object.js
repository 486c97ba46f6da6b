// The objection (异议) on a notice's page: a participant signed in with its API key files a signed,
// timestamped objection. The reason and the evidence's SHA-256 (the file is hashed here, never
// uploaded) are in the EIP-712 message the objector signs in this page with its own key; the chain
// records it with the block's time.
"use strict";

(function () {
  const S = window.DataledgerSigning;
  const { m } = S;
  const $ = (id) => document.getElementById(id);
  const assetId = document.querySelector("[data-testid=object-section]").dataset.assetId;
  const ZERO = "0x" + "00".repeat(32);
  let me = null;
  let evidenceHash = null;

  function flash(text, good) {
    const box = $("flash");
    box.className = "notice " + (good ? "notice-good" : "notice-bad");
    box.textContent = text;
  }

  async function load() {
    try {
      me = await S.api("GET", "/v1/participants/me");
    } catch (error) {
      S.clearApiKey();
      showSignIn(m("key.bad_key"));
      return;
    }
    $("sign-in-form").hidden = true;
    $("objection-desk").hidden = false;
    $("signed-in").textContent = m("key.signed_in_as", { name: me.name, address: me.address || "" });
  }

  function showSignIn(error) {
    $("objection-desk").hidden = true;
    $("sign-in-form").hidden = false;
    $("sign-in-error").hidden = !error;
    $("sign-in-error").textContent = error || "";
  }

  S.wireSignIn(load);

  S.onKey((unlocked) => {
    const mine = me && String(me.address).toLowerCase() === unlocked.address.toLowerCase();
    $("key-status").textContent = m(mine ? "key.key_ready" : "object.key_not_yours", { address: unlocked.address });
  });

  $("objection-evidence").addEventListener("change", async () => {
    const file = $("objection-evidence").files[0];
    evidenceHash = null;
    $("evidence-hash").textContent = "";
    if (!file) return;
    evidenceHash = await S.sha256Bytes(await file.arrayBuffer());
    $("evidence-hash").textContent = m("object.evidence_hashed", { hash: evidenceHash });
  });

  $("objection-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const reason = $("objection-reason").value.trim();
    if (!reason) return;
    const body = { reason };
    if (evidenceHash) body.evidenceHash = evidenceHash;
    try {
      const filed = await S.perform({
        prepare: `/v1/assets/${assetId}/objection-requests`,
        submit: `/v1/assets/${assetId}/objections`,
        body,
        primaryType: "Objection",
        expected: (objector) => ({ objector, assetId, evidenceHash: evidenceHash || ZERO }),
        texts: { reasonHash: reason },
        subject: document.querySelector("[data-testid=notice-name]").textContent,
      });
      if (filed === null) {
        flash(m("key.cancelled"), false);
        return;
      }
      const acts = await S.api("GET", `/v1/assets/${assetId}/history?act=objection-filed&limit=100`);
      const mine = acts.items.find((act) => act.chainEvidence.txHash === filed.chainEvidence.txHash);
      const at = mine && mine.at ? new Date(mine.at).toLocaleString(S.data.lang === "zh" ? "zh-CN" : "en-GB") : "";
      flash(m("object.filed", { id: filed.objectionId, at, tx: filed.chainEvidence.txHash }), true);
      $("objection-form").reset();
      evidenceHash = null;
      $("evidence-hash").textContent = "";
    } catch (error) {
      flash(m("key.failed", { reason: error.message }), false);
    }
  });

  if (S.apiKey()) load();
  else showSignIn(null);
})();

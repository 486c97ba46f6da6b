// What every page that signs acts in the browser shares (the workbench, the workspace, the objection on a
// notice): signing in with a participant's API key (kept in this tab's sessionStorage and sent as a bearer
// header, never in a URL), the signing key (a keystore unlocked in this page, or an injected wallet,
// through signer.bundle.js), and one act done the same way everywhere: prepare it on the server
// (…-requests), check the prepared EIP-712 message, show its domain and message in plain words, sign it
// here, submit the signature. The private key never leaves the page.
"use strict";

window.DataledgerSigning = (function () {
  const data = JSON.parse(document.getElementById("signing-data").textContent);
  const messages = data.messages;
  const STORAGE_KEY = "dataledger.apiKey";
  const STAGES = ["formal", "substantive"];
  // The rights as the registry contract numbers them (RightClaimed's order).
  const RIGHTS = ["data-resource-holding", "data-processing-and-use", "data-product-operation"];
  const $ = (id) => document.getElementById(id);
  let signer = null; // {address, kind, sign(typedData)}: in this page's memory only
  const keyListeners = [];

  function m(key, values) {
    const template = messages[key] || key;
    return Object.keys(values || {}).reduce((text, name) => text.split("{" + name + "}").join(values[name]), template);
  }

  function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function localTime(seconds) {
    return new Date(seconds * 1000).toLocaleString(data.lang === "zh" ? "zh-CN" : "en-GB");
  }

  // An amount in the currency's smallest unit (fen), written in its major unit for the reader.
  function money(amount, currency) {
    const locale = data.lang === "zh" ? "zh-CN" : "en-GB";
    try {
      const format = new Intl.NumberFormat(locale, { style: "currency", currency });
      return format.format(Number(amount) / 10 ** format.resolvedOptions().maximumFractionDigits);
    } catch (error) {
      return String(amount) + " " + currency;
    }
  }

  // -- the participant's API key ------------------------------------------------------------------

  const apiKey = () => window.sessionStorage.getItem(STORAGE_KEY);
  const setApiKey = (key) => window.sessionStorage.setItem(STORAGE_KEY, key);
  const clearApiKey = () => window.sessionStorage.removeItem(STORAGE_KEY);

  async function api(method, path, body) {
    const headers = { Authorization: "Bearer " + apiKey(), Accept: "application/json" };
    const init = { method, headers };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    const text = await response.text();
    let payload = {};
    try {
      payload = text ? JSON.parse(text) : {};
    } catch (error) {
      payload = { detail: text };
    }
    if (!response.ok) {
      const problem = new Error(messages["problem." + payload.code] || payload.detail || payload.title || String(response.status));
      problem.status = response.status;
      problem.code = payload.code;
      throw problem;
    }
    return payload;
  }

  // -- the signing key ----------------------------------------------------------------------------

  function useSigner(unlocked) {
    signer = unlocked;
    for (const listener of keyListeners) listener(unlocked);
  }

  function wireKeyPanel() {
    const form = $("key-form");
    if (!form) return;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const file = $("keystore").files[0];
      if (!file) {
        $("key-status").textContent = m("key.keystore_missing");
        return;
      }
      const progress = $("unlock-progress");
      progress.hidden = false;
      progress.value = 0;
      $("key-status").textContent = m("key.unlocking");
      try {
        const json = await file.text();
        useSigner(await window.DataledgerSigner.unlockKeystore(json, $("keystore-password").value, (fraction) => {
          progress.value = fraction;
        }));
      } catch (error) {
        signer = null;
        $("key-status").textContent = m("key.unlock_failed");
      } finally {
        progress.hidden = true;
        $("keystore-password").value = "";
      }
    });
    $("use-wallet").addEventListener("click", async () => {
      try {
        useSigner(await window.DataledgerSigner.injectedWallet());
      } catch (error) {
        $("key-status").textContent = m("key.no_wallet");
      }
    });
  }

  // -- one act ------------------------------------------------------------------------------------

  async function sha256Bytes(bytes) {
    const digest = new Uint8Array(await window.crypto.subtle.digest("SHA-256", bytes));
    return "0x" + Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // The hash of a public reason, as the registry takes it: SHA-256 of the canonical JSON {"reason": …}
  // (one string member: JSON.stringify writes it as RFC 8785 does).
  const reasonHash = (text) => sha256Bytes(new TextEncoder().encode(JSON.stringify({ reason: text })));

  // The prepared message must be the act asked for, as the contract hashes it, for this registry's
  // contract and chain, with every field the page determined (the signer, the asset, the texts typed).
  async function check(typedData, primaryType, expected, texts) {
    const refuse = (what) => {
      throw new Error(m("key.refused", { what }));
    };
    if (typedData.primaryType !== primaryType) refuse("primaryType");
    if (JSON.stringify(typedData.types[primaryType]) !== JSON.stringify(data.actTypes[primaryType])) refuse("types");
    if (String(typedData.domain.chainId) !== String(data.registry.chainId)) refuse("chainId");
    const contract = (data.actContracts && data.actContracts[primaryType]) || data.registry.address;
    if (String(typedData.domain.verifyingContract).toLowerCase() !== contract.toLowerCase()) refuse("verifyingContract");
    for (const [name, value] of Object.entries(expected)) {
      if (String(typedData.message[name]).toLowerCase() !== String(value).toLowerCase()) refuse(name);
    }
    for (const [field, text] of Object.entries(texts || {})) {
      if (String(typedData.message[field]).toLowerCase() !== (await reasonHash(text))) refuse(field);
    }
  }

  function plain(name, value) {
    if (name === "stage") return STAGES[Number(value)] === "formal" ? m("sign.stage_formal") : m("sign.stage_substantive");
    if (name === "right" && RIGHTS[Number(value)]) return m("right." + RIGHTS[Number(value)]) + " (" + value + ")";
    if (typeof value === "boolean") return value ? m("sign.yes") : m("sign.no");
    if (name === "securedAmount" || name === "amount") return m("sign.amount", { major: (Number(value) / 100).toFixed(2), minor: value });
    if (["deadline", "issuedAt", "validUntil", "validFrom", "maturity"].includes(name)) {
      const seconds = Number(value);
      if (seconds > 0 && seconds < 2 ** 40) return localTime(seconds) + " (" + value + ")";
    }
    return String(value);
  }

  function confirmSigning(typedData, subject, texts, shown, confirmText) {
    const dialog = $("sign-dialog");
    const domain = typedData.domain;
    $("sign-summary").textContent = m("sign.summary", { act: m("sign.type." + typedData.primaryType), asset: subject, address: signer.address });
    $("sign-domain").textContent = m("sign.domain_text", { name: domain.name, version: domain.version, chainId: domain.chainId, contract: domain.verifyingContract });
    const fields = $("sign-fields");
    fields.replaceChildren();
    for (const field of typedData.types[typedData.primaryType]) {
      const label = messages["sign.field." + field.name] || field.name;
      fields.append(element("dt", { text: label }), element("dd", { class: "hash", text: plain(field.name, typedData.message[field.name]) }));
    }
    for (const text of Object.values(texts || {})) fields.append(element("dt", { text: m("sign.reason_text") }), element("dd", { text }));
    // texts the page committed to by a hash it checked itself (a pledge's terms), shown as typed
    for (const [label, text] of shown || []) fields.append(element("dt", { text: label }), element("dd", { text }));
    return new Promise((resolve) => {
      let answered = false;
      const finish = (answer) => {
        if (answered) return;
        answered = true;
        dialog.close();
        resolve(answer);
      };
      $("sign-confirm").textContent = confirmText || m("sign.confirm");
      $("sign-confirm").onclick = () => finish(true);
      $("sign-cancel").onclick = () => finish(false);
      dialog.oncancel = () => finish(false);
      dialog.showModal();
    });
  }

  function txOf(answer) {
    const seen = [answer];
    while (seen.length) {
      const value = seen.shift();
      if (value && typeof value === "object") {
        if (typeof value.txHash === "string") return value.txHash;
        seen.push(...Object.values(value));
      }
    }
    return "";
  }

  /** Check a prepared message, show it, sign it: ``null`` if the signer cancelled, else the signature. */
  async function signPrepared({ typedData, primaryType, expected, texts, subject, shown, confirmText }) {
    if (!signer) throw new Error(m("key.unlock_first"));
    await check(typedData, primaryType, expected(signer.address), texts);
    if (!(await confirmSigning(typedData, subject, texts, shown, confirmText))) return null;
    return signer.sign(typedData);
  }

  /** Do one signed act: ``null`` if the signer cancelled, else the server's answer (throws on a refusal). */
  async function perform({ prepare, submit, body, primaryType, expected, texts, subject, carry, shown }) {
    if (!signer) throw new Error(m("key.unlock_first"));
    const prepared = await api("POST", prepare, Object.keys(body).length ? body : undefined);
    const typedData = prepared.typedData;
    const signature = await signPrepared({ typedData, primaryType, expected, texts, subject, shown });
    if (signature === null) return null;
    const submission = { ...body, nonce: prepared.nonce, deadline: prepared.deadline, signature };
    // what the submission repeats of the preparation: its own members, else the signed message's
    for (const name of carry || []) {
      if (name in prepared) submission[name] = prepared[name];
      else if (name in typedData.message) submission[name] = typedData.message[name];
    }
    return api("POST", submit, submission);
  }

  wireKeyPanel();
  // The sign-in form and the sign-out button every signed-in page has: the API key goes to this tab's
  // sessionStorage only; signing out reloads the page, which forgets an unlocked key too.
  function wireSignIn(onSignedIn) {
    $("sign-in-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const key = $("api-key").value.trim();
      if (!key) return;
      setApiKey(key);
      $("api-key").value = "";
      onSignedIn();
    });
    $("sign-out").addEventListener("click", () => {
      clearApiKey();
      window.location.reload();
    });
  }

  return { data, messages, m, element, localTime, money, apiKey, setApiKey, clearApiKey, wireSignIn, api, perform, signPrepared, txOf, sha256Bytes, onKey: (listener) => keyListeners.push(listener), signer: () => signer };
})();

// A certificate carried in a QR code's URL fragment (#vc=base64url(zlib(JSON))): read in the browser
// (the server never sees a fragment), checked here against the registrar's key with WebCrypto, and
// offered to the server's full verification (which also reads the chain).
import { checkCertificate } from "./vc_check.js";

function base64UrlBytes(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  return Uint8Array.from(atob(base64), (character) => character.charCodeAt(0));
}

async function inflate(bytes) {
  // "deflate" is the zlib format (RFC 1950), as Python's zlib.compress writes it.
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Response(stream).text();
}

function item(text, result) {
  const line = document.createElement("li");
  line.textContent = text;
  if (result) line.dataset.result = result;
  return line;
}

async function showBrowserChecks(certificate, messages, list) {
  try {
    const results = await checkCertificate(certificate, messages.registrar);
    for (const name of ["issuer", "signature", "period"]) {
      const line = item(`${messages.checks[name]}: ${messages.results[results[name]]}`, results[name]);
      line.dataset.check = name;
      line.className = `result-${results[name]}`;
      list.appendChild(line);
    }
  } catch (error) {
    list.appendChild(item(messages.unavailable, "unavailable"));
  }
}

async function readCarriedCertificate() {
  const match = /(?:^#|&)vc=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  if (!match || typeof DecompressionStream === "undefined") return;
  let certificate;
  try {
    certificate = JSON.parse(await inflate(base64UrlBytes(match[1])));
  } catch (error) {
    return; // not a certificate: the page's own verification stands
  }
  const messages = JSON.parse(document.getElementById("qr-messages").textContent);
  const subject = certificate.credentialSubject || {};
  document.getElementById("qr-summary").textContent = messages.summary
    .replace("{number}", String(subject.certificateNumber || ""))
    .replace("{holder}", String((subject.holder || {}).name || ""));
  const box = document.getElementById("qr-copy");
  await showBrowserChecks(certificate, messages, document.getElementById("qr-checks"));
  const form = document.getElementById("document-form");
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = messages.button;
  button.dataset.testid = "verify-qr-copy";
  button.addEventListener("click", () => {
    form.querySelector("textarea").value = JSON.stringify(certificate);
    form.submit();
  });
  box.appendChild(button);
  box.hidden = false;
}

readCarriedCertificate();

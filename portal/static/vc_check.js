// ecdsa-jcs-2019 in the browser: a registration certificate's signature checked with WebCrypto, so a
// reader need not take the server's word for it. The same steps as registry/certificate.py
// verify_proof: SHA-256(JCS(proof options)) || SHA-256(JCS(document)), ECDSA P-256 over SHA-256, the
// key named by the issuer's did:key (a P-256 Multikey, multicodec 0x1200, base58-btc multibase).

const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const P256_PUB = [0x80, 0x24]; // varint of multicodec 0x1200
const DID_KEY = "did:key:";
// P-256: y^2 = x^3 - 3x + b over p, with p = 3 (mod 4) so a square root is a single power
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;

/** RFC 8785 canonical JSON: keys sorted by UTF-16 code units, ECMAScript number and string forms. */
export function canonicalJson(value) {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return "[" + value.map(canonicalJson).join(",") + "]";
  return "{" + Object.keys(value).sort()
    .map((key) => JSON.stringify(key) + ":" + canonicalJson(value[key])).join(",") + "}";
}

function base58btc(multibase) {
  if (typeof multibase !== "string" || !multibase.startsWith("z")) throw new Error("not base58-btc multibase");
  const text = multibase.slice(1);
  let number = 0n;
  for (const character of text) {
    const digit = BASE58.indexOf(character);
    if (digit < 0) throw new Error("not base58");
    number = number * 58n + BigInt(digit);
  }
  const bytes = [];
  for (; number > 0n; number >>= 8n) bytes.unshift(Number(number & 0xffn));
  for (const character of text) {
    if (character !== "1") break;
    bytes.unshift(0);
  }
  return new Uint8Array(bytes);
}

function power(base, exponent, modulus) {
  let result = 1n;
  for (base %= modulus; exponent > 0n; exponent >>= 1n) {
    if (exponent & 1n) result = (result * base) % modulus;
    base = (base * base) % modulus;
  }
  return result;
}

function bytesOf(number) {
  return Uint8Array.from(number.toString(16).padStart(64, "0").match(/../g), (pair) => parseInt(pair, 16));
}

function uncompressed(point) {
  // WebCrypto imports uncompressed SEC1 points: recover y from x and its parity
  const x = BigInt("0x" + Array.from(point.slice(1), (b) => b.toString(16).padStart(2, "0")).join(""));
  const ySquared = (((x * x * x - 3n * x + B) % P) + P) % P;
  let y = power(ySquared, (P + 1n) / 4n, P);
  if ((y & 1n) !== BigInt(point[0] & 1)) y = P - y;
  if ((y * y) % P !== ySquared) throw new Error("not a point on P-256");
  return Uint8Array.from([4, ...bytesOf(x), ...bytesOf(y)]);
}

async function publicKeyOf(did) {
  const key = base58btc(did.slice(DID_KEY.length));
  if (!did.startsWith(DID_KEY) || key.length !== 35 || key[0] !== P256_PUB[0] || key[1] !== P256_PUB[1]) {
    throw new Error("not a P-256 did:key");
  }
  return crypto.subtle.importKey("raw", uncompressed(key.slice(2)), { name: "ECDSA", namedCurve: "P-256" },
    false, ["verify"]);
}

async function sha256(text) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/**
 * Check a certificate's proof against the registrar key ``trustedDid``, and its validity period now.
 * Answers {issuer, signature, period}, each "passed" or "failed"; the signature is "not-run" when the
 * issuer is not the trusted one. Throws when this browser has no WebCrypto (not a secure context).
 */
export async function checkCertificate(vc, trustedDid, now = new Date()) {
  if (!globalThis.crypto || !crypto.subtle) throw new Error("WebCrypto is unavailable here");
  const proof = vc && typeof vc.proof === "object" ? vc.proof : {};
  const issuer = vc && typeof vc.issuer === "object" ? vc.issuer.id : vc && vc.issuer;
  const trusted = issuer === trustedDid
    && proof.verificationMethod === `${trustedDid}#${trustedDid.slice(DID_KEY.length)}`;
  const from = Date.parse(vc.validFrom);
  const until = vc.validUntil === undefined ? Infinity : Date.parse(vc.validUntil);
  const period = from <= now.getTime() && now.getTime() <= until ? "passed" : "failed";
  if (!trusted) return { issuer: "failed", signature: "not-run", period };
  let signature = "failed";
  try {
    if (proof.type === "DataIntegrityProof" && proof.cryptosuite === "ecdsa-jcs-2019"
        && proof.proofPurpose === "assertionMethod") {
      const options = { ...proof };
      delete options.proofValue;
      const document = { ...vc };
      delete document.proof;
      if ("@context" in options) {
        const contexts = [].concat(options["@context"]);
        const prefix = [].concat(document["@context"]).slice(0, contexts.length);
        if (canonicalJson(prefix) !== canonicalJson(contexts)) throw new Error("context changed");
        document["@context"] = options["@context"];
      }
      const hashData = new Uint8Array([...await sha256(canonicalJson(options)),
        ...await sha256(canonicalJson(document))]);
      const key = await publicKeyOf(trustedDid);
      const ok = await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key,
        base58btc(proof.proofValue), hashData);
      signature = ok ? "passed" : "failed";
    }
  } catch (error) {
    signature = "failed";
  }
  return { issuer: "passed", signature, period };
}

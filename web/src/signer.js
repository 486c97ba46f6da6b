// EIP-712 signing in the browser, for the portal's pages: a keystore file unlocked here (its key stays in
// this page's memory, never sent anywhere), or an injected EIP-1193 wallet (eth_signTypedData_v4).
// Built by build.mjs into portal/static/signer.bundle.js, exposed as window.DataledgerSigner.
import { TypedDataEncoder, Wallet, getAddress, verifyTypedData } from "ethers";

function withoutDomainType(types) {
  const { EIP712Domain: _domain, ...rest } = types;
  return rest;
}

/** Unlock an encrypted keystore (Web3 Secret Storage JSON); ``onProgress(fraction)`` while the key is derived. */
export async function unlockKeystore(json, password, onProgress) {
  const wallet = await Wallet.fromEncryptedJson(json, password, (fraction) => {
    if (onProgress) onProgress(fraction);
  });
  return {
    address: wallet.address,
    kind: "keystore",
    sign: (typedData) =>
      wallet.signTypedData(typedData.domain, withoutDomainType(typedData.types), typedData.message),
  };
}

/** The wallet the browser injects (EIP-1193), asked for its account. */
export async function injectedWallet() {
  const provider = globalThis.ethereum;
  if (!provider || typeof provider.request !== "function") throw new Error("no-injected-wallet");
  const [account] = await provider.request({ method: "eth_requestAccounts" });
  const address = getAddress(account);
  return {
    address,
    kind: "injected",
    sign: (typedData) =>
      provider.request({ method: "eth_signTypedData_v4", params: [address, JSON.stringify(typedData)] }),
  };
}

/** The EIP-712 digest of ``typedData`` (what the contract checks the signature against). */
export function digest(typedData) {
  return TypedDataEncoder.hash(typedData.domain, withoutDomainType(typedData.types), typedData.message);
}

/** The address that signed ``typedData`` with ``signature``. */
export function signerOf(typedData, signature) {
  return verifyTypedData(typedData.domain, withoutDomainType(typedData.types), typedData.message, signature);
}

export { getAddress };

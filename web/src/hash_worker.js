// The workspace's file hasher, run as a Web Worker: a streaming SHA-256 of a File read in chunks
// (File.slice), so a file of any size (multi-GB included) is hashed without being held in memory and
// without being uploaded: only its hash leaves this worker. WebCrypto has no streaming digest, hence
// @noble/hashes' incremental SHA-256. Built by build.mjs into portal/static/hash.worker.bundle.js.
//
// In: {file: File, chunkSize?: number}. Out: {type: "progress", done, total} after each chunk, then
// {type: "done", hash: "0x…", size}, or {type: "error", message}. The page cancels by terminating it.
import { sha256 } from "@noble/hashes/sha256";

const CHUNK = 4 * 1024 * 1024;

function hex(bytes) {
  let out = "0x";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}

async function hashFile(file, chunkSize) {
  const hasher = sha256.create();
  const total = file.size;
  let done = 0;
  postMessage({ type: "progress", done, total });
  while (done < total) {
    const end = Math.min(total, done + chunkSize);
    hasher.update(new Uint8Array(await file.slice(done, end).arrayBuffer()));
    done = end;
    postMessage({ type: "progress", done, total });
  }
  return hex(hasher.digest());
}

self.onmessage = async (event) => {
  const { file, chunkSize } = event.data || {};
  try {
    const hash = await hashFile(file, chunkSize > 0 ? chunkSize : CHUNK);
    postMessage({ type: "done", hash, size: file.size });
  } catch (error) {
    postMessage({ type: "error", message: String((error && error.message) || error) });
  }
};

// Builds the portal's browser bundles (offline: the packages come from package-lock.json through
// `npm ci`): src/signer.js with ethers into ../portal/static/signer.bundle.js, and src/hash_worker.js
// with @noble/hashes into ../portal/static/hash.worker.bundle.js (the workspace's streaming SHA-256).
// Each output is a pure function of the sources and the locked versions, so `node build.mjs --check`
// (run by tests/portal/test_signer_bundle.py) rebuilds them in memory and fails when a committed bundle
// differs.
import { build } from "esbuild";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const BUNDLES = [
  { entry: "src/signer.js", out: "../portal/static/signer.bundle.js", globalName: "DataledgerSigner" },
  { entry: "src/hash_worker.js", out: "../portal/static/hash.worker.bundle.js" },
];
const check = process.argv.includes("--check");
let stale = false;
for (const { entry, out: relative, globalName } of BUNDLES) {
  const out = here(relative);
  const result = await build({
    entryPoints: [here(entry)],
    bundle: true,
    minify: true,
    format: "iife",
    ...(globalName ? { globalName } : {}),
    target: "es2020",
    platform: "browser",
    legalComments: "eof",
    charset: "utf8",
    write: false,
    logLevel: "warning",
  });
  const bundle = result.outputFiles[0].contents;
  if (check) {
    let committed;
    try {
      committed = readFileSync(out);
    } catch {
      committed = Buffer.alloc(0);
    }
    if (!Buffer.from(bundle).equals(committed)) {
      console.error(`${out} is not what the sources build: run \`node web/build.mjs\` and commit it`);
      stale = true;
    } else {
      console.log(`${out} is current (${bundle.length} bytes)`);
    }
  } else {
    writeFileSync(out, bundle);
    console.log(`wrote ${out} (${bundle.length} bytes)`);
  }
}
if (stale) process.exit(1);

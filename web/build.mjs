// Builds src/signer.js with ethers into ../portal/static/signer.bundle.js (offline: the packages come from
// package-lock.json through `npm ci`). The output is a pure function of the sources and the locked
// versions, so `node build.mjs --check` (run by tests/portal/test_signer_bundle.py) rebuilds it in memory
// and fails when the committed bundle differs.
import { build } from "esbuild";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const out = here("../portal/static/signer.bundle.js");
const result = await build({
  entryPoints: [here("src/signer.js")],
  bundle: true,
  minify: true,
  format: "iife",
  globalName: "DataledgerSigner",
  target: "es2020",
  platform: "browser",
  legalComments: "eof",
  charset: "utf8",
  write: false,
  logLevel: "warning",
});
const bundle = result.outputFiles[0].contents;
if (process.argv.includes("--check")) {
  let committed;
  try {
    committed = readFileSync(out);
  } catch {
    committed = Buffer.alloc(0);
  }
  if (!Buffer.from(bundle).equals(committed)) {
    console.error(`${out} is not what the sources build: run \`node web/build.mjs\` and commit it`);
    process.exit(1);
  }
  console.log(`${out} is current (${bundle.length} bytes)`);
} else {
  writeFileSync(out, bundle);
  console.log(`wrote ${out} (${bundle.length} bytes)`);
}

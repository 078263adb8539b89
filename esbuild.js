// Builds everything: the extension and the `brrm` CLI as bundles in dist/, the webview and
// notebook-renderer scripts in media/dist/, and (with --tests) every source and test file
// transpiled one-to-one into out/ for node's test runner and the extension-host suite.
// tsc only type-checks (`npm run typecheck`). `--outdir D` writes dist/ and media/dist/ under D
// (scripts/package.mjs stages each VSIX that way, leaving the development build alone).
const esbuild = require("esbuild");
const fs = require("node:fs");
const path = require("node:path");

const watch = process.argv.includes("--watch");
const withTests = process.argv.includes("--tests");
const production = process.argv.includes("--production");
const outdirFlag = process.argv.indexOf("--outdir");
const outRoot = outdirFlag > 0 ? process.argv[outdirFlag + 1] : ".";
const out = (file) => path.join(outRoot, file);

// node-llama-cpp is ESM with native binaries: never bundled, loaded with a real import() at
// first use (esbuild keeps import() of an external package as import() in cjs output).
const external = ["vscode", "node-llama-cpp", "@node-llama-cpp/*"];

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: !production,
  minify: production,
  external,
  logLevel: "warning",
};

const builds = [
  // mainFields: jsonc-parser's "main" is a UMD build whose internal require()s esbuild cannot
  // follow (the bundle fails with "Cannot find module './impl/format'"); its ESM build bundles.
  { ...common, mainFields: ["module", "main"], entryPoints: ["src/extension/extension.ts"], outfile: out("dist/extension.js") },
  { ...common, entryPoints: ["src/cli/main.ts"], outfile: out("dist/cli.js"), banner: { js: "#!/usr/bin/env node" } },
  {
    bundle: true, platform: "browser", format: "iife", target: "es2022", minify: production,
    sourcemap: !production, logLevel: "warning",
    entryPoints: ["media/src/panel.ts"], outfile: out("media/dist/panel.js"),
  },
  {
    bundle: true, platform: "browser", format: "esm", target: "es2022", minify: production,
    sourcemap: !production, logLevel: "warning",
    entryPoints: ["media/src/renderer.ts"], outfile: out("media/dist/renderer.js"),
  },
].filter((b) => b.entryPoints.every((e) => fs.existsSync(e)));

function listTs(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && d.name.endsWith(".ts") && !d.name.endsWith(".d.ts"))
    .map((d) => path.join(d.parentPath ?? d.path, d.name));
}

if (withTests) {
  builds.push({
    // media/src too: the extension's modules import the webview protocols' constants.
    entryPoints: [...listTs("src"), ...listTs("media/src"), ...listTs("test")],
    outdir: "out", outbase: ".", bundle: false, platform: "node", target: "node20",
    format: "cjs", sourcemap: true, logLevel: "warning",
  });
}

/**
 * dist/cuda-packages.json: node-llama-cpp's CUDA packages at the locked version with their
 * lockfile integrity. "BR-RM: Install CUDA Acceleration" downloads them from the registry and
 * accepts only tarballs with exactly these hashes.
 */
function writeCudaPackages() {
  const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
  const packages = {};
  for (const [key, entry] of Object.entries(lock.packages)) {
    const name = key.replace(/^node_modules\//, "");
    if (/^@node-llama-cpp\/[a-z0-9-]+-cuda(-ext)?$/.test(name)) packages[name] = { version: entry.version, integrity: entry.integrity };
  }
  const nodeLlamaCpp = lock.packages["node_modules/node-llama-cpp"].version;
  fs.mkdirSync(out("dist"), { recursive: true });
  fs.writeFileSync(out("dist/cuda-packages.json"), `${JSON.stringify({ nodeLlamaCpp, packages }, null, 2)}\n`);
}

async function main() {
  if (watch) {
    await Promise.all(builds.map(async (b) => (await esbuild.context(b)).watch()));
    return;
  }
  await Promise.all(builds.map((b) => esbuild.build(b)));
  writeCudaPackages();
  if (fs.existsSync(out("dist/cli.js"))) fs.chmodSync(out("dist/cli.js"), 0o755);
}

main().catch((e) => {
  console.error(e.message ?? e);
  process.exit(1);
});

// Builds everything: the extension and the `brrm` CLI as bundles in dist/, the webview and
// notebook-renderer scripts in media/dist/, and (with --tests) every source and test file
// transpiled one-to-one into out/ for node's test runner and the extension-host suite.
// tsc only type-checks (`npm run typecheck`).
const esbuild = require("esbuild");
const fs = require("node:fs");
const path = require("node:path");

const watch = process.argv.includes("--watch");
const withTests = process.argv.includes("--tests");
const production = process.argv.includes("--production");

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
  { ...common, mainFields: ["module", "main"], entryPoints: ["src/extension/extension.ts"], outfile: "dist/extension.js" },
  { ...common, entryPoints: ["src/cli/main.ts"], outfile: "dist/cli.js", banner: { js: "#!/usr/bin/env node" } },
  {
    bundle: true, platform: "browser", format: "iife", target: "es2022", minify: production,
    sourcemap: !production, logLevel: "warning",
    entryPoints: ["media/src/panel.ts"], outfile: "media/dist/panel.js",
  },
  {
    bundle: true, platform: "browser", format: "esm", target: "es2022", minify: production,
    sourcemap: !production, logLevel: "warning",
    entryPoints: ["media/src/renderer.ts"], outfile: "media/dist/renderer.js",
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

async function main() {
  if (watch) {
    await Promise.all(builds.map(async (b) => (await esbuild.context(b)).watch()));
    return;
  }
  await Promise.all(builds.map((b) => esbuild.build(b)));
  if (fs.existsSync("dist/cli.js")) fs.chmodSync("dist/cli.js", 0o755);
}

main().catch((e) => {
  console.error(e.message ?? e);
  process.exit(1);
});

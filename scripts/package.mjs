// @ts-check
// `npm run package`: one VSIX per platform in vsix/, each named brrm-judge-<target>.vsix and
// carrying only its own llama.cpp binaries (no CUDA: "BR-RM: Install CUDA Acceleration" fetches
// that on demand), none of node-llama-cpp's llama.cpp source bundle and no local builds.
//
//   npm run package                              every target
//   npm run package -- --target darwin-arm64     one (repeat --target for several)
//   npm run package -- --out <folder>            somewhere else than vsix/
//
// Each target is staged in a temporary folder: the production bundle, media/, the docs, and
// the production dependencies copied from node_modules without any platform's binaries; then
// the target's own binary packages, copied from node_modules when npm installed them here or
// else unpacked from `npm pack` tarballs (cached under ~/.cache/brrm-judge/npm-packs and checked
// against the lockfile's integrity). vsce packages the staged folder.

import { execFile } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import * as tar from "tar";

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The binary packages each VSIX carries. GPU builds ship where they need nothing installed
 * beyond a driver: Vulkan (linux-x64, win32-x64) and Metal (Apple Silicon's only build, which
 * also runs on the CPU). CUDA is left out (181 MB + 358 MB): installed on demand.
 * `@reflink/*` is ipull's optional native file-cloning helper (node-llama-cpp's downloader).
 */
export const TARGETS = {
  "linux-x64": ["@node-llama-cpp/linux-x64", "@node-llama-cpp/linux-x64-vulkan", "@reflink/reflink-linux-x64-gnu"],
  "linux-arm64": ["@node-llama-cpp/linux-arm64", "@reflink/reflink-linux-arm64-gnu"],
  "darwin-arm64": ["@node-llama-cpp/mac-arm64-metal", "@reflink/reflink-darwin-arm64"],
  "darwin-x64": ["@node-llama-cpp/mac-x64", "@reflink/reflink-darwin-x64"],
  "win32-x64": ["@node-llama-cpp/win-x64", "@node-llama-cpp/win-x64-vulkan", "@reflink/reflink-win32-x64-msvc"],
  "win32-arm64": ["@node-llama-cpp/win-arm64", "@reflink/reflink-win32-arm64-msvc"],
};

/** Packages that hold one platform's native code: only the target's own go in. */
const PLATFORM_PACKAGE = /^@node-llama-cpp\/|^@reflink\/reflink-/;
/** Production dependencies the extension never loads (node-llama-cpp's optional peer, for typings). */
const NOT_SHIPPED = new Set(["typescript"]);
/** What node-llama-cpp reads from its llama/ folder at run time; the rest builds from source. */
const LLAMA_RUNTIME_FILES = ["binariesGithubRelease.json", "llama.cpp.info.json", "package.json", "grammars"];
/** Files at the top of the extension besides dist/ and media/. */
const TOP_FILES = ["README.md", "CHANGELOG.md", "LICENSE", ".vscodeignore"];

/** The lockfile's entry of a package installed at the top of node_modules. */
function lockEntry(/** @type {string} */ name) {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
  const entry = lock.packages[`node_modules/${name}`];
  if (!entry?.version || !entry.integrity) throw new Error(`${name} is not in package-lock.json: run npm install.`);
  return /** @type {{ version: string, integrity: string }} */ (entry);
}

function packCache() {
  const dir = path.join(process.env.BRRM_TEST_CACHE || path.join(os.homedir(), ".cache", "brrm-judge"), "npm-packs");
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** `sha512-<base64>` of a file, the form npm's integrity fields use. */
export function fileIntegrity(/** @type {string} */ file) {
  return `sha512-${crypto.createHash("sha512").update(fs.readFileSync(file)).digest("base64")}`;
}

/**
 * The registry tarball of `name` at its locked version, from the cache or `npm pack`, checked
 * against the lockfile's integrity.
 * @param {string} name
 */
export async function packedTarball(name) {
  const { version, integrity } = lockEntry(name);
  const file = path.join(packCache(), `${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz`);
  if (!fs.existsSync(file)) {
    console.error(`npm pack ${name}@${version}`);
    await run("npm", ["pack", `${name}@${version}`, "--pack-destination", path.dirname(file)], { maxBuffer: 64 << 20 });
  }
  if (fileIntegrity(file) !== integrity) {
    fs.rmSync(file, { force: true });
    throw new Error(`${name}@${version} from the registry does not match package-lock.json's integrity; removed the download. Run again.`);
  }
  return file;
}

/**
 * Copies a package folder without its nested node_modules (npm ls lists those on their own).
 * node-llama-cpp keeps only what it reads at run time from llama/, or with `llamaSource` its
 * addon's sources too (for a build from source) but never the llama.cpp bundle or local builds.
 * @param {string} from @param {string} to @param {string} name @param {{ llamaSource?: boolean }} [opts]
 */
function copyPackage(from, to, name, opts = {}) {
  const nested = path.join(from, "node_modules");
  const llama = path.join(from, "llama");
  fs.cpSync(from, to, {
    recursive: true,
    filter: (src) => {
      if (src === nested || src.startsWith(nested + path.sep)) return false;
      if (name === "node-llama-cpp" && src.startsWith(llama + path.sep)) {
        const top = path.relative(llama, src).split(path.sep)[0];
        return opts.llamaSource ? !["gitRelease.bundle", "localBuilds", "llama.cpp"].includes(top) : LLAMA_RUNTIME_FILES.includes(top);
      }
      return true;
    },
  });
}

/** Every production dependency folder, relative to the repository (`node_modules/...`). */
async function productionPackages() {
  const { stdout } = await run("npm", ["ls", "--omit=dev", "--all", "--parseable"], { cwd: ROOT, maxBuffer: 64 << 20 });
  return stdout
    .split("\n")
    .filter((p) => p.startsWith(ROOT + path.sep))
    .map((p) => path.relative(ROOT, p))
    .filter((rel) => {
      const name = rel.split(`node_modules${path.sep}`).pop()?.split(path.sep).join("/") ?? "";
      return !PLATFORM_PACKAGE.test(name) && !NOT_SHIPPED.has(name);
    });
}

/**
 * Fills `dir` with what every VSIX shares: the production bundle, media/, the docs and the
 * production dependencies without any platform's binaries.
 * @param {string} dir
 */
async function stageCommon(dir) {
  fs.mkdirSync(dir, { recursive: true });
  await run(process.execPath, [path.join(ROOT, "esbuild.js"), "--production", "--outdir", dir], { cwd: ROOT });
  fs.rmSync(path.join(dir, "dist", "cli.js"), { force: true });

  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  delete manifest.scripts;
  delete manifest.devDependencies;
  fs.writeFileSync(path.join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const f of TOP_FILES) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  fs.cpSync(path.join(ROOT, "media"), path.join(dir, "media"), {
    recursive: true,
    filter: (src) => !src.startsWith(path.join(ROOT, "media", "src")) && !src.startsWith(path.join(ROOT, "media", "dist")),
  });
  await stageDependencies(dir);
}

/**
 * Copies the production dependencies into `dir`/node_modules, without any platform's binaries.
 * @param {string} dir
 * @param {{ llamaSource?: boolean }} [opts]  keep node-llama-cpp's addon sources (test/gpu builds it)
 */
export async function stageDependencies(dir, opts = {}) {
  for (const rel of await productionPackages()) {
    const name = rel.split(`node_modules${path.sep}`).pop()?.split(path.sep).join("/") ?? rel;
    copyPackage(path.join(ROOT, rel), path.join(dir, rel), name, opts);
  }
}

/**
 * Adds the target's binary packages to a staged extension.
 * @param {keyof typeof TARGETS} target
 * @param {string} dir
 */
async function addPlatformPackages(target, dir) {
  for (const name of TARGETS[target]) {
    const into = path.join(dir, "node_modules", ...name.split("/"));
    const installed = path.join(ROOT, "node_modules", ...name.split("/"));
    const installedManifest = path.join(installed, "package.json");
    if (fs.existsSync(installedManifest) && JSON.parse(fs.readFileSync(installedManifest, "utf8")).version === lockEntry(name).version) {
      copyPackage(installed, into, name);
    } else {
      fs.mkdirSync(into, { recursive: true });
      await tar.x({ file: await packedTarball(name), cwd: into, strip: 1 });
    }
  }
}

/**
 * Fills `dir` with the extension as it goes into the target's VSIX. Exported for the tests,
 * which run node-llama-cpp from a staged extension.
 * @param {keyof typeof TARGETS} target
 * @param {string} dir
 */
export async function stageExtension(target, dir) {
  if (!TARGETS[target]) throw new Error(`Unknown target "${target}". Targets: ${Object.keys(TARGETS).join(", ")}.`);
  await stageCommon(dir);
  await addPlatformPackages(target, dir);
}

/**
 * Builds the VSIX of each target into `outDir`; resolves with their paths.
 * @param {(keyof typeof TARGETS)[]} targets
 * @param {string} outDir
 */
export async function packageTargets(targets, outDir) {
  fs.mkdirSync(outDir, { recursive: true });
  const vsce = path.join(ROOT, "node_modules", ".bin", process.platform === "win32" ? "vsce.cmd" : "vsce");
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "brrm-vsix-"));
  const built = [];
  try {
    const common = path.join(work, "common");
    await stageCommon(common);
    for (const target of targets) {
      const stage = path.join(work, target);
      fs.cpSync(common, stage, { recursive: true });
      await addPlatformPackages(target, stage);
      const vsix = path.join(path.resolve(outDir), `brrm-judge-${target}.vsix`);
      fs.rmSync(vsix, { force: true });
      await run(vsce, ["package", "--target", target, "--out", vsix, "--allow-missing-repository", "--no-rewrite-relative-links"], { cwd: stage, maxBuffer: 64 << 20 });
      fs.rmSync(stage, { recursive: true, force: true });
      console.log(`${path.relative(process.cwd(), vsix)}  ${(fs.statSync(vsix).size / 1e6).toFixed(1)} MB`);
      built.push(vsix);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return built;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { target: { type: "string", multiple: true }, out: { type: "string", default: path.join(ROOT, "vsix") } } });
  const targets = /** @type {(keyof typeof TARGETS)[]} */ (values.target ?? Object.keys(TARGETS));
  const unknown = targets.filter((t) => !(t in TARGETS));
  if (unknown.length > 0) {
    console.error(`Unknown target ${unknown.join(", ")}. Targets: ${Object.keys(TARGETS).join(", ")}.`);
    process.exit(2);
  }
  packageTargets(targets, values.out ?? "vsix").catch((e) => {
    console.error(e.stderr || e.message || e);
    process.exit(1);
  });
}

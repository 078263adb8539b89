// Installs node-llama-cpp's CUDA binaries on demand ("BR-RM: Install CUDA Acceleration"): they
// are too big to ship in a VSIX (181 MB, and 358 MB more for CUDA 12 runtimes). The packages
// come from the npm registry at the version node-llama-cpp is pinned to, and are accepted only
// with the integrity the lockfile recorded when the VSIX was built (dist/cuda-packages.json).
//
// node-llama-cpp loads a binary package only through `import("@node-llama-cpp/<name>")`, so the
// packages are unpacked into the extension's global storage (it survives extension updates,
// which install each version into a new folder) and linked into the node_modules folder next
// to node-llama-cpp. Every install goes into a new versioned folder, never over files a running
// window may have loaded (Windows locks them); the record of what is installed is written last,
// and one lock lets only one window install at a time.

import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import * as lockfile from "proper-lockfile";
import * as tar from "tar";
import { BrrmError, CancelledError } from "../core/errors";

export const DEFAULT_REGISTRY = "https://registry.npmjs.org/";

/** dist/cuda-packages.json: the CUDA packages at node-llama-cpp's locked version, with their integrity. */
export interface CudaManifest {
  nodeLlamaCpp: string;
  packages: Record<string, { version: string; integrity: string }>;
}

/** What is installed, in `<storage>/cuda/installed.json`. */
interface InstalledRecord {
  nodeLlamaCpp: string;
  /** The versioned folder under `<storage>/cuda` holding one folder per package. */
  folder: string;
  /** Package name -> integrity of the tarball it was unpacked from. */
  packages: Record<string, string>;
}

export interface CudaLocation {
  /** node-llama-cpp's folder inside the extension: the links go into the node_modules that holds it. */
  nodeLlamaCppDir: string;
  /** The extension's global storage. */
  storageDir: string;
}

export interface InstallProgress {
  phase: "waiting" | "downloading" | "unpacking" | "linking";
  package?: string;
  receivedBytes?: number;
  totalBytes?: number;
}

export interface InstallOptions extends CudaLocation {
  manifest: CudaManifest;
  /** Full package names, e.g. `@node-llama-cpp/linux-x64-cuda`. */
  packages: string[];
  /** The npm registry's base URL (default registry.npmjs.org). */
  registry?: string;
  signal?: AbortSignal;
  onProgress?: (p: InstallProgress) => void;
}

export interface InstallResult {
  /** false: these packages were installed already (by another window, or before); only linked. */
  downloaded: boolean;
  /** Packages linked where node-llama-cpp looks for them. */
  linked: string[];
}

const cudaRoot = (storageDir: string) => path.join(storageDir, "cuda");
/** proper-lockfile's lock: a folder inside the CUDA folder. */
const LOCK = "install.lock";
const recordFile = (storageDir: string) => path.join(cudaRoot(storageDir), "installed.json");
const shortName = (name: string) => name.split("/").pop() ?? name;
/** Where node-llama-cpp imports `name` from. */
const linkPath = (nodeLlamaCppDir: string, name: string) => path.join(path.dirname(nodeLlamaCppDir), ...name.split("/"));

function readRecord(storageDir: string): InstalledRecord | undefined {
  try {
    const record = JSON.parse(fs.readFileSync(recordFile(storageDir), "utf8")) as InstalledRecord;
    return fs.existsSync(path.join(cudaRoot(storageDir), record.folder)) ? record : undefined;
  } catch {
    return undefined;
  }
}

function writeRecord(storageDir: string, record: InstalledRecord): void {
  const file = recordFile(storageDir);
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
}

const READ_ONLY = new Set(["EACCES", "EPERM", "EROFS"]);

function readOnlyError(dir: string, e: unknown): BrrmError {
  return new BrrmError(
    "EXTENSION_READ_ONLY",
    `The extension's folder ${dir} is read-only for you, so the CUDA binaries cannot be put where llama.cpp looks for them; BR-RM keeps running on Vulkan or the CPU. Install VS Code (or this extension) where your user can write, or run VS Code once as the folder's owner to install CUDA.`,
    { cause: e },
  );
}

/** Makes a link (a junction on Windows: no admin rights needed) from `link` to the folder `target`. */
function makeLink(target: string, link: string): void {
  fs.symlinkSync(target, link, process.platform === "win32" ? "junction" : "dir");
}

/** Fails fast, before any download, when links cannot be made next to node-llama-cpp. */
function checkWritable(nodeLlamaCppDir: string): void {
  const scope = path.dirname(linkPath(nodeLlamaCppDir, "@node-llama-cpp/x"));
  const probe = path.join(scope, `.brrm-write-check-${process.pid}`);
  try {
    fs.mkdirSync(scope, { recursive: true });
    makeLink(scope, probe);
    fs.unlinkSync(probe);
  } catch (e) {
    if (READ_ONLY.has((e as NodeJS.ErrnoException).code ?? "")) throw readOnlyError(scope, e);
    throw e;
  }
}

/** Links each installed package where node-llama-cpp imports it; a real folder there (shipped) is kept. */
function linkPackages(location: CudaLocation, record: InstalledRecord): string[] {
  const linked: string[] = [];
  for (const name of Object.keys(record.packages)) {
    const target = path.join(cudaRoot(location.storageDir), record.folder, shortName(name));
    const link = linkPath(location.nodeLlamaCppDir, name);
    try {
      const stat = fs.lstatSync(link, { throwIfNoEntry: false });
      if (stat && !stat.isSymbolicLink()) continue;
      if (stat) {
        if (path.resolve(path.dirname(link), fs.readlinkSync(link)) === path.resolve(target)) {
          linked.push(name);
          continue;
        }
        fs.unlinkSync(link);
      }
      fs.mkdirSync(path.dirname(link), { recursive: true });
      makeLink(target, link);
      linked.push(name);
    } catch (e) {
      if (READ_ONLY.has((e as NodeJS.ErrnoException).code ?? "")) throw readOnlyError(path.dirname(link), e);
      throw e;
    }
  }
  return linked;
}

/** Deletes install folders nothing refers to; one in use (a loaded binary on Windows) stays until next time. */
function removeUnused(storageDir: string, keep: string | undefined): string[] {
  const root = cudaRoot(storageDir);
  const left: string[] = [];
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === keep || entry.name === LOCK) continue;
    try {
      fs.rmSync(path.join(root, entry.name), { recursive: true, force: true });
    } catch {
      left.push(path.join(root, entry.name));
    }
  }
  return left;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), reject(new CancelledError("CUDA installation cancelled."))), { once: true });
  });

/** Holds the install lock: one window installs, the others wait (and then find it done). */
async function withLock<T>(storageDir: string, opts: { signal?: AbortSignal; onWait?: () => void; wait?: boolean }, fn: () => Promise<T>): Promise<T | undefined> {
  const root = cudaRoot(storageDir);
  fs.mkdirSync(root, { recursive: true });
  let release: (() => Promise<void>) | undefined;
  for (let waited = false; !release; ) {
    try {
      // stale: a lock whose holder died is taken over after 30 s (a live holder refreshes it).
      release = await lockfile.lock(root, {
        lockfilePath: path.join(root, LOCK),
        stale: 30_000,
        update: 5_000,
        realpath: false,
        // Losing the lock (a refresh that failed) cannot corrupt anything: every install writes
        // its own folder and the record last. The default would throw from a timer.
        onCompromised: () => {},
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ELOCKED") throw e;
      if (opts.wait === false) return undefined;
      if (!waited) opts.onWait?.();
      waited = true;
      await sleep(500, opts.signal);
    }
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => {});
  }
}

function packumentUrl(registry: string, name: string): string {
  return new URL(name.replace("/", "%2f"), registry.endsWith("/") ? registry : `${registry}/`).href;
}

async function tarballUrl(registry: string, name: string, version: string, integrity: string, signal?: AbortSignal): Promise<string> {
  const url = packumentUrl(registry, name);
  const res = await fetch(url, { headers: { accept: "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8" }, signal });
  if (!res.ok) throw new BrrmError("CUDA_DOWNLOAD_FAILED", `The registry answered ${res.status} for ${name} (${url}). Check brrm.cuda.registry and your network.`);
  const packument = (await res.json()) as { versions?: Record<string, { dist?: { tarball?: string; integrity?: string } }> };
  const dist = packument.versions?.[version]?.dist;
  if (!dist?.tarball) throw new BrrmError("CUDA_DOWNLOAD_FAILED", `The registry at ${registry} has no ${name}@${version}. Use a registry that mirrors npm's (brrm.cuda.registry).`);
  if (dist.integrity && dist.integrity !== integrity)
    throw new BrrmError("CUDA_INTEGRITY", `The registry at ${registry} serves a different ${name}@${version} than the one this extension was built with (integrity ${dist.integrity}, expected ${integrity}). Nothing was installed.`);
  return dist.tarball;
}

/** Downloads `url` to `file`, hashing as it goes; resolves with the `sha512-` integrity. */
async function download(url: string, file: string, onBytes: (received: number, total: number) => void, signal?: AbortSignal): Promise<string> {
  const res = await fetch(url, { signal });
  if (!res.ok || !res.body) throw new BrrmError("CUDA_DOWNLOAD_FAILED", `Downloading ${url} failed: HTTP ${res.status}.`);
  const total = Number(res.headers.get("content-length")) || 0;
  const hash = crypto.createHash("sha512");
  let received = 0;
  await pipeline(
    Readable.fromWeb(res.body as import("node:stream/web").ReadableStream<Uint8Array>),
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        received += chunk.length;
        onBytes(received, total);
        done(null, chunk);
      },
    }),
    fs.createWriteStream(file),
    { signal },
  );
  return `sha512-${hash.digest("base64")}`;
}

/** A failure in words: cancelled, one of ours as it is, or a network error with the next step. */
function downloadError(e: unknown, what: string, signal?: AbortSignal): Error {
  if (signal?.aborted) return new CancelledError("CUDA installation cancelled.");
  if (e instanceof BrrmError) return e;
  return new BrrmError("CUDA_DOWNLOAD_FAILED", `Downloading ${what} failed: ${(e as Error).message}. Check your network and brrm.cuda.registry, then try again.`, { cause: e });
}

/**
 * Downloads, checks, unpacks and links the CUDA packages. Resolves once node-llama-cpp would
 * find them (a reload of the window loads them); throws with nothing installed on any failure.
 */
export async function installCuda(opts: InstallOptions): Promise<InstallResult> {
  const { manifest, storageDir } = opts;
  for (const name of opts.packages) {
    const wanted = manifest.packages[name];
    if (!wanted || wanted.version !== manifest.nodeLlamaCpp) throw new BrrmError("CUDA_UNAVAILABLE", `${name} is not among the CUDA packages this extension was built with (${Object.keys(manifest.packages).join(", ")}).`);
  }
  checkWritable(opts.nodeLlamaCppDir);
  const registry = opts.registry || DEFAULT_REGISTRY;
  const result = await withLock(storageDir, { signal: opts.signal, onWait: () => opts.onProgress?.({ phase: "waiting" }) }, async () => {
    const current = readRecord(storageDir);
    const reusable = (name: string) => current?.nodeLlamaCpp === manifest.nodeLlamaCpp && current.packages[name] === manifest.packages[name].integrity;
    if (current && opts.packages.every(reusable)) {
      opts.onProgress?.({ phase: "linking" });
      return { downloaded: false, linked: linkPackages(opts, current) };
    }

    const root = cudaRoot(storageDir);
    removeUnused(storageDir, current?.folder);
    const partial = fs.mkdtempSync(path.join(root, ".partial-"));
    try {
      const packages: Record<string, string> = {};
      for (const name of opts.packages) {
        const { version, integrity } = manifest.packages[name];
        const into = path.join(partial, shortName(name));
        if (current && reusable(name)) {
          fs.cpSync(path.join(root, current.folder, shortName(name)), into, { recursive: true });
        } else {
          const url = await tarballUrl(registry, name, version, integrity, opts.signal);
          const file = `${into}.tgz`;
          const got = await download(url, file, (receivedBytes, totalBytes) => opts.onProgress?.({ phase: "downloading", package: name, receivedBytes, totalBytes }), opts.signal);
          if (got !== integrity)
            throw new BrrmError("CUDA_INTEGRITY", `The downloaded ${name}@${version} does not match the integrity recorded when this extension was built (got ${got.slice(0, 24)}…, expected ${integrity.slice(0, 24)}…). It was deleted and nothing was installed; try again, or check brrm.cuda.registry.`);
          opts.onProgress?.({ phase: "unpacking", package: name });
          fs.mkdirSync(into);
          await tar.x({ file, cwd: into, strip: 1 });
          fs.rmSync(file);
        }
        packages[name] = manifest.packages[name].integrity;
      }
      const folder = `${manifest.nodeLlamaCpp}-${Date.now().toString(36)}`;
      fs.renameSync(partial, path.join(root, folder));
      const record: InstalledRecord = { nodeLlamaCpp: manifest.nodeLlamaCpp, folder, packages };
      writeRecord(storageDir, record);
      opts.onProgress?.({ phase: "linking" });
      const linked = linkPackages(opts, record);
      removeUnused(storageDir, folder);
      return { downloaded: true, linked };
    } catch (e) {
      throw downloadError(e, opts.packages.join(" and "), opts.signal);
    } finally {
      fs.rmSync(partial, { recursive: true, force: true });
    }
  });
  // withLock returns undefined only when told not to wait.
  return result!;
}

export type CudaState =
  /** Nothing installed. */
  | { kind: "none" }
  /** Installed and linked where node-llama-cpp looks. */
  | { kind: "linked"; packages: string[]; relinked: boolean }
  /** Installed for another node-llama-cpp version (the extension was updated): install again. */
  | { kind: "stale"; nodeLlamaCpp: string };

/**
 * At activation: links what is installed into this extension folder (a new one after each
 * update) and deletes install folders nothing uses any more.
 */
export async function relinkCuda(location: CudaLocation, nodeLlamaCppVersion: string): Promise<CudaState> {
  const record = readRecord(location.storageDir);
  if (!record) return { kind: "none" };
  if (record.nodeLlamaCpp !== nodeLlamaCppVersion) return { kind: "stale", nodeLlamaCpp: record.nodeLlamaCpp };
  const before = Object.keys(record.packages).filter((name) => fs.lstatSync(linkPath(location.nodeLlamaCppDir, name), { throwIfNoEntry: false }) !== undefined);
  const linked = linkPackages(location, record);
  // Another window may be installing: then it tidies up itself.
  await withLock(location.storageDir, { wait: false }, async () => removeUnused(location.storageDir, readRecord(location.storageDir)?.folder));
  return { kind: "linked", packages: linked, relinked: before.length < linked.length };
}

/**
 * Removes the links and the installed binaries. Folders a running process still has loaded
 * (Windows) are listed in `leftBehind` and deleted at a later activation.
 */
export async function removeCuda(location: CudaLocation, signal?: AbortSignal): Promise<{ unlinked: string[]; leftBehind: string[] }> {
  const result = await withLock(location.storageDir, { signal }, async () => {
    const root = path.resolve(cudaRoot(location.storageDir));
    const record = readRecord(location.storageDir);
    const unlinked: string[] = [];
    for (const name of Object.keys(record?.packages ?? {})) {
      const link = linkPath(location.nodeLlamaCppDir, name);
      const stat = fs.lstatSync(link, { throwIfNoEntry: false });
      if (!stat?.isSymbolicLink()) continue;
      if (!path.resolve(path.dirname(link), fs.readlinkSync(link)).startsWith(root + path.sep)) continue;
      try {
        fs.unlinkSync(link);
      } catch (e) {
        if (READ_ONLY.has((e as NodeJS.ErrnoException).code ?? "")) throw readOnlyError(path.dirname(link), e);
        throw e;
      }
      unlinked.push(name);
    }
    fs.rmSync(recordFile(location.storageDir), { force: true });
    return { unlinked, leftBehind: removeUnused(location.storageDir, undefined) };
  });
  return result!;
}

/** The CUDA packages recorded as installed, whatever their node-llama-cpp version (for `brrm doctor` and the UI). */
export function installedCuda(storageDir: string): { nodeLlamaCpp: string; packages: string[]; folder: string } | undefined {
  const record = readRecord(storageDir);
  return record && { nodeLlamaCpp: record.nodeLlamaCpp, packages: Object.keys(record.packages), folder: path.join(cudaRoot(storageDir), record.folder) };
}

/** dist/cuda-packages.json next to the running bundle (written by the build from the lockfile). */
export function readCudaManifest(file: string): CudaManifest {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as CudaManifest;
  } catch (e) {
    throw new BrrmError("CUDA_UNAVAILABLE", `This build of BR-RM Judge has no list of CUDA packages (${file}: ${(e as Error).message}). Reinstall the extension.`, { cause: e });
  }
}

// "Install CUDA Acceleration" without the editor, against a local server shaped like the npm
// registry that serves real `npm pack` tarballs. The mechanics run on small real
// @node-llama-cpp tarballs served under the CUDA packages' names (with their own integrity in
// the manifest); one test installs the real 143 MB linux-x64-cuda package into a staged
// linux-x64 extension and has node-llama-cpp itself find it.

import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { installCuda, installedCuda, relinkCuda, removeCuda, type CudaManifest, type InstallProgress } from "../../src/backends/cudaInstaller";
import { probeGpu } from "../../src/backends/gpuProbe";
import { BrrmError, CancelledError } from "../../src/core/errors";
import { REPO_ROOT, tempDir } from "../support/fixtures";
import { integrityOf, packedTarball, startRegistry, type Registry } from "../support/npmRegistry";

/** One temporary root for every folder these tests make (removed at exit). */
const ROOT = tempDir("brrm-cuda-test-");
const freshDir = (prefix: string) => fs.mkdtempSync(path.join(ROOT, prefix));

const CUDA = "@node-llama-cpp/linux-x64-cuda";
const CUDA_EXT = "@node-llama-cpp/linux-x64-cuda-ext";
const VERSION = "3.21.1";

/**
 * An extension folder as VS Code installs it, reduced to what the installer touches: the
 * node_modules holding node-llama-cpp (its package.json; the links go next to it).
 */
function extensionFolder(): { nodeLlamaCppDir: string } {
  const nodeLlamaCppDir = path.join(freshDir("ext-"), "node_modules", "node-llama-cpp");
  fs.mkdirSync(nodeLlamaCppDir, { recursive: true });
  fs.writeFileSync(path.join(nodeLlamaCppDir, "package.json"), JSON.stringify({ name: "node-llama-cpp", version: VERSION }));
  return { nodeLlamaCppDir };
}

const linkOf = (nodeLlamaCppDir: string, name: string) => path.join(path.dirname(nodeLlamaCppDir), ...name.split("/"));

/** What is in the storage's CUDA folder, besides nothing. */
const storageEntries = (storageDir: string) => (fs.existsSync(path.join(storageDir, "cuda")) ? fs.readdirSync(path.join(storageDir, "cuda")).sort() : []);

describe("CUDA installer against a registry-shaped server (small real tarballs under the CUDA names)", () => {
  let registry: Registry;
  let manifest: CudaManifest;
  before(async () => {
    // Real npm tarballs, small: they stand in for the 143 MB and 177 MB CUDA ones.
    const [small, smallExt] = await Promise.all([packedTarball("@node-llama-cpp/linux-armv7l"), packedTarball("@node-llama-cpp/linux-arm64")]);
    registry = await startRegistry([
      { name: CUDA, version: VERSION, file: small },
      { name: CUDA_EXT, version: VERSION, file: smallExt },
    ]);
    manifest = { nodeLlamaCpp: VERSION, packages: { [CUDA]: { version: VERSION, integrity: integrityOf(small) }, [CUDA_EXT]: { version: VERSION, integrity: integrityOf(smallExt) } } };
  });
  after(() => registry?.close());

  it("a good install: progress, unpacked into a versioned storage folder, linked where node-llama-cpp looks; again = no download", async () => {
    const { nodeLlamaCppDir } = extensionFolder();
    const storageDir = freshDir("storage-");
    const events: InstallProgress[] = [];
    const result = await installCuda({ nodeLlamaCppDir, storageDir, manifest, packages: [CUDA, CUDA_EXT], registry: registry.url, onProgress: (p) => events.push(p) });
    assert.deepEqual(result, { downloaded: true, linked: [CUDA, CUDA_EXT] });

    const downloads = events.filter((e) => e.phase === "downloading" && e.package === CUDA);
    assert.ok(downloads.length > 1, "progress during the download");
    assert.equal(downloads.at(-1)?.receivedBytes, downloads.at(-1)?.totalBytes);
    assert.equal(downloads.at(-1)?.totalBytes, fs.statSync(await packedTarball("@node-llama-cpp/linux-armv7l")).size);
    assert.deepEqual([...new Set(events.map((e) => e.phase))], ["downloading", "unpacking", "linking"]);

    const installed = installedCuda(storageDir);
    assert.ok(installed);
    assert.equal(installed.nodeLlamaCpp, VERSION);
    assert.match(path.basename(installed.folder), /^3\.21\.1-[a-z0-9]+$/);
    for (const name of [CUDA, CUDA_EXT]) {
      const link = linkOf(nodeLlamaCppDir, name);
      assert.ok(fs.lstatSync(link).isSymbolicLink(), `${name} is linked`);
      assert.equal(fs.realpathSync(link), fs.realpathSync(path.join(installed.folder, name.split("/")[1])));
      assert.ok(fs.existsSync(path.join(link, "package.json")), `${name} was unpacked (package/ stripped)`);
    }
    // The stand-in tarball's own addon came through the link.
    assert.ok(fs.existsSync(path.join(linkOf(nodeLlamaCppDir, CUDA), "bins", "linux-armv7l", "llama-addon.node")));
    assert.deepEqual(storageEntries(storageDir), [path.basename(installed.folder), "installed.json"]);

    const before = registry.tarballRequests(CUDA);
    assert.deepEqual(await installCuda({ nodeLlamaCppDir, storageDir, manifest, packages: [CUDA, CUDA_EXT], registry: registry.url }), { downloaded: false, linked: [CUDA, CUDA_EXT] });
    assert.equal(registry.tarballRequests(CUDA), before, "nothing downloaded the second time");
  });

  it("a corrupted tarball fails the integrity check and leaves nothing installed", async () => {
    const { nodeLlamaCppDir } = extensionFolder();
    const storageDir = freshDir("storage-");
    const failure = await installCuda({ nodeLlamaCppDir, storageDir, manifest, packages: [CUDA], registry: `${registry.url}corrupt/` }).catch((e: unknown) => e);
    assert.ok(failure instanceof BrrmError, String(failure));
    assert.equal(failure.code, "CUDA_INTEGRITY");
    assert.match(failure.message, /does not match the integrity recorded when this extension was built.*nothing was installed/);
    assert.equal(installedCuda(storageDir), undefined);
    assert.deepEqual(storageEntries(storageDir), []);
    assert.equal(fs.existsSync(linkOf(nodeLlamaCppDir, CUDA)), false);
  });

  it("a registry that serves another build of the version is refused before downloading it", async () => {
    const { nodeLlamaCppDir } = extensionFolder();
    const storageDir = freshDir("storage-");
    const other: CudaManifest = { ...manifest, packages: { ...manifest.packages, [CUDA]: { version: VERSION, integrity: manifest.packages[CUDA_EXT].integrity } } };
    const before = registry.tarballRequests(CUDA);
    await assert.rejects(installCuda({ nodeLlamaCppDir, storageDir, manifest: other, packages: [CUDA], registry: registry.url }), (e: BrrmError) => e.code === "CUDA_INTEGRITY" && /serves a different .*linux-x64-cuda@3\.21\.1/.test(e.message));
    assert.equal(registry.tarballRequests(CUDA), before);
    assert.equal(installedCuda(storageDir), undefined);
  });

  it("a registry without the package says which one and where", async () => {
    const { nodeLlamaCppDir } = extensionFolder();
    const storageDir = freshDir("storage-");
    const elsewhere: CudaManifest = { nodeLlamaCpp: VERSION, packages: { "@node-llama-cpp/win-x64-cuda": { version: VERSION, integrity: "sha512-x" } } };
    await assert.rejects(installCuda({ nodeLlamaCppDir, storageDir, manifest: elsewhere, packages: ["@node-llama-cpp/win-x64-cuda"], registry: registry.url }), /registry answered 404 for @node-llama-cpp\/win-x64-cuda/);
    await assert.rejects(installCuda({ nodeLlamaCppDir, storageDir, manifest, packages: ["@node-llama-cpp/mac-x64"], registry: registry.url }), /not among the CUDA packages this extension was built with/);
  });

  it("Cancel mid-download stops at once, leaves nothing behind, and a later install works", async () => {
    const { nodeLlamaCppDir } = extensionFolder();
    const storageDir = freshDir("storage-");
    const controller = new AbortController();
    let received = 0;
    const failure = await installCuda({
      nodeLlamaCppDir,
      storageDir,
      manifest,
      packages: [CUDA],
      registry: `${registry.url}slow/`,
      signal: controller.signal,
      onProgress: (p) => {
        received = p.receivedBytes ?? received;
        if (received > 0 && received < (p.totalBytes ?? 0)) controller.abort();
      },
    }).catch((e: unknown) => e);
    assert.ok(failure instanceof CancelledError, String(failure));
    assert.ok(received < fs.statSync(await packedTarball("@node-llama-cpp/linux-armv7l")).size, "cancelled before the end");
    assert.equal(installedCuda(storageDir), undefined);
    assert.deepEqual(storageEntries(storageDir), [], "no partial folder, no lock left");
    assert.equal(fs.existsSync(linkOf(nodeLlamaCppDir, CUDA)), false);

    assert.equal((await installCuda({ nodeLlamaCppDir, storageDir, manifest, packages: [CUDA], registry: registry.url })).downloaded, true);
  });

  it("two windows (two processes) installing at once: one downloads, the other waits and finds it done", async () => {
    const { nodeLlamaCppDir } = extensionFolder();
    const storageDir = freshDir("storage-");
    const script = path.join(freshDir("window-"), "window.js");
    fs.writeFileSync(
      script,
      `const { installCuda } = require(${JSON.stringify(path.join(REPO_ROOT, "out", "src", "backends", "cudaInstaller.js"))});
const phases = new Set();
installCuda({ ...JSON.parse(process.argv[2]), onProgress: (p) => phases.add(p.phase) })
  .then((r) => console.log(JSON.stringify({ ...r, phases: [...phases] })), (e) => { console.error(e.message); process.exit(1); });`,
    );
    const args = JSON.stringify({ nodeLlamaCppDir, storageDir, manifest, packages: [CUDA, CUDA_EXT], registry: `${registry.url}slow/` });
    const before = registry.tarballRequests(CUDA);
    const windows = await Promise.all([0, 1].map(() => promisify(execFile)(process.execPath, [script, args])));
    const results = windows.map((w) => JSON.parse(w.stdout) as { downloaded: boolean; linked: string[]; phases: string[] });
    assert.deepEqual(results.map((r) => r.downloaded).sort(), [false, true]);
    const waiter = results.find((r) => !r.downloaded)!;
    assert.ok(waiter.phases.includes("waiting"), `the second window waited: ${waiter.phases}`);
    for (const r of results) assert.deepEqual(r.linked, [CUDA, CUDA_EXT]);
    assert.equal(registry.tarballRequests(CUDA), before + 1, "downloaded once");
    const installed = installedCuda(storageDir)!;
    assert.deepEqual(storageEntries(storageDir), [path.basename(installed.folder), "installed.json"]);
  });

  it("an extension folder the user cannot write: a clear error before any download, nothing installed", async (t) => {
    const { nodeLlamaCppDir } = extensionFolder();
    const storageDir = freshDir("storage-");
    const nodeModules = path.dirname(nodeLlamaCppDir);
    // Readable by everyone (temporary folders are private), writable by no ordinary user.
    for (const dir of [ROOT, path.dirname(nodeModules)]) fs.chmodSync(dir, 0o755);
    fs.chmodSync(nodeModules, 0o555);
    t.after(() => fs.chmodSync(nodeModules, 0o755));
    fs.chmodSync(storageDir, 0o777);
    const args = JSON.stringify({ nodeLlamaCppDir, storageDir, manifest, packages: [CUDA], registry: registry.url });
    const code = `require(${JSON.stringify(path.join(REPO_ROOT, "out", "src", "backends", "cudaInstaller.js"))}).installCuda(JSON.parse(process.argv[1])).then(() => process.exit(0), (e) => { console.error(e.code + ": " + e.message); process.exit(1); });`;
    // root writes anywhere: run that window as an ordinary user, as a system-wide VS Code's users are.
    const [cmd, argv] = process.getuid?.() === 0 ? ["setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, "-e", code, args]] : [process.execPath, ["-e", code, args]];
    const before = registry.requests.length;
    const child = spawn(cmd, argv as string[], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    const exit = await new Promise<number | null>((r) => child.on("exit", r));
    assert.equal(exit, 1, stderr);
    assert.match(stderr, /^EXTENSION_READ_ONLY: The extension's folder .*node_modules\/@node-llama-cpp is read-only for you.*BR-RM keeps running on Vulkan or the CPU/);
    assert.equal(registry.requests.length, before, "nothing was downloaded");
    assert.equal(installedCuda(storageDir), undefined);
  });

  it("after an extension update (a new folder): relinked at activation; another node-llama-cpp version is stale; Remove undoes it", async () => {
    const storageDir = freshDir("storage-");
    const old = extensionFolder();
    await installCuda({ nodeLlamaCppDir: old.nodeLlamaCppDir, storageDir, manifest, packages: [CUDA], registry: registry.url });

    const updated = extensionFolder();
    assert.deepEqual(await relinkCuda({ ...updated, storageDir }, VERSION), { kind: "linked", packages: [CUDA], relinked: true });
    assert.ok(fs.existsSync(path.join(linkOf(updated.nodeLlamaCppDir, CUDA), "package.json")));
    assert.deepEqual(await relinkCuda({ ...updated, storageDir }, VERSION), { kind: "linked", packages: [CUDA], relinked: false });
    assert.deepEqual(await relinkCuda({ ...updated, storageDir }, "3.22.0"), { kind: "stale", nodeLlamaCpp: VERSION });

    const removed = await removeCuda({ ...updated, storageDir });
    assert.deepEqual(removed, { unlinked: [CUDA], leftBehind: [] });
    assert.equal(fs.existsSync(linkOf(updated.nodeLlamaCppDir, CUDA)), false);
    assert.equal(installedCuda(storageDir), undefined);
    assert.deepEqual(storageEntries(storageDir), []);
    assert.deepEqual(await relinkCuda({ ...updated, storageDir }, VERSION), { kind: "none" });
  });
});

describe("CUDA installer with the real linux-x64-cuda package, in a staged linux-x64 extension", () => {
  let registry: Registry;
  let nodeLlamaCppDir: string;
  before(
    async () => {
      registry = await startRegistry([{ name: CUDA, version: VERSION, file: await packedTarball(CUDA) }]);
      const stage = freshDir("staged-");
      const script = (await import(pathToFileURL(path.join(REPO_ROOT, "scripts", "package.mjs")).href)) as { stageExtension(target: string, dir: string): Promise<void> };
      await script.stageExtension("linux-x64", stage);
      nodeLlamaCppDir = path.join(stage, "node_modules", "node-llama-cpp");
    },
    { timeout: 10 * 60_000 },
  );
  after(() => registry?.close());

  /** node-llama-cpp of the staged extension asked for its CUDA build; its own log says whether it found one. */
  async function askForCuda(): Promise<string> {
    const check = path.join(path.dirname(path.dirname(nodeLlamaCppDir)), "ask-cuda.mjs");
    fs.writeFileSync(check, `import { getLlama } from "node-llama-cpp";\ntry { await getLlama({ gpu: "cuda", build: "never" }); console.warn("loaded"); } catch (e) { console.warn(e.name); }\n`);
    const { stderr } = await promisify(execFile)(process.execPath, [check]);
    return stderr;
  }

  it("is found by node-llama-cpp once installed (and here fails its test load: no NVIDIA driver)", { timeout: 10 * 60_000 }, async () => {
    const storageDir = freshDir("storage-");
    assert.equal((await probeGpu({ nodeLlamaCppDir })).installed.cuda, false, "the VSIX carries no CUDA");
    assert.match(await askForCuda(), /A prebuilt binary was not found/);

    const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "dist", "cuda-packages.json"), "utf8")) as CudaManifest;
    const result = await installCuda({ nodeLlamaCppDir, storageDir, manifest, packages: [CUDA], registry: registry.url });
    assert.deepEqual(result, { downloaded: true, linked: [CUDA] });
    assert.ok(fs.existsSync(path.join(linkOf(nodeLlamaCppDir, CUDA), "bins", "linux-x64-cuda", "libggml-cuda.so")));

    assert.equal((await probeGpu({ nodeLlamaCppDir })).installed.cuda, true);
    const found = await askForCuda();
    assert.match(found, /The prebuilt binary for platform "linux" "x64" with CUDA support is not compatible with the current system/);
    assert.doesNotMatch(found, /A prebuilt binary was not found/);
  });
});

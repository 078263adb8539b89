// "BR-RM: Install CUDA Acceleration", "BR-RM: Remove CUDA Acceleration" and "BR-RM: Show GPU
// Status"; the links to installed CUDA binaries made again after an extension update; and the
// one-time offer to install CUDA when a local model loads on a machine with an NVIDIA driver.

import * as path from "node:path";
import * as vscode from "vscode";
import { installCuda, readCudaManifest, relinkCuda, removeCuda, type InstallProgress } from "../backends/cudaInstaller";
import { nodeLlamaCppDir, probeGpu, versionOf } from "../backends/gpuProbe";
import { localCompute } from "../backends/llamaCpp";
import { BrrmError, errorMessage, isCancelled } from "../core/errors";
import { computesFor, cudaPackagesToInstall } from "../core/gpuChoice";
import type { BackendManager } from "./backendManager";
import { registerSafeCommand } from "./commands";
import { readSettings } from "./settings";
import { computeText } from "./statusBar";

const OFFERED = "brrm.cudaOffered";
const RELOAD = "Reload Window";
const INSTALL = "Install CUDA Acceleration";

interface Deps {
  context: vscode.ExtensionContext;
  backends: BackendManager;
  log: vscode.LogOutputChannel;
}

function location(context: vscode.ExtensionContext) {
  const nlcDir = nodeLlamaCppDir();
  if (!nlcDir) throw new BrrmError("ENGINE_MISSING", "The local llama.cpp engine (node-llama-cpp) is missing from this installation. Reinstall BR-RM Judge.");
  return { nodeLlamaCppDir: nlcDir, storageDir: context.globalStorageUri.fsPath };
}

async function offerReload(message: string): Promise<void> {
  if ((await vscode.window.showInformationMessage(message, RELOAD)) === RELOAD) await vscode.commands.executeCommand("workbench.action.reloadWindow");
}

function progressMessage(p: InstallProgress): string {
  const name = p.package?.split("/").pop() ?? "";
  switch (p.phase) {
    case "waiting":
      return "waiting for another window's install to finish";
    case "downloading":
      return `downloading ${name}: ${((p.receivedBytes ?? 0) / 1e6).toFixed(0)} of ${((p.totalBytes ?? 0) / 1e6).toFixed(0)} MB`;
    case "unpacking":
      return `unpacking ${name}`;
    case "linking":
      return "linking the binaries into the extension";
  }
}

async function install(d: Deps): Promise<boolean> {
  const facts = await probeGpu();
  const platform = `${facts.platform}-${facts.arch}`;
  if (!computesFor(facts.platform, facts.arch).includes("cuda")) {
    void vscode.window.showInformationMessage(`BR-RM: CUDA acceleration is for NVIDIA GPUs on Linux x64 and Windows x64; this machine is ${platform}, where llama.cpp runs on ${computesFor(facts.platform, facts.arch).join(" or ")}.`);
    return false;
  }
  if (!facts.nvidiaDriver) {
    const anyway = "Install Anyway";
    const answer = await vscode.window.showWarningMessage("BR-RM found no NVIDIA driver on this machine, and CUDA needs one. Install the NVIDIA driver first, or install the CUDA binaries anyway if your driver lives where BR-RM does not look.", anyway);
    if (answer !== anyway) return false;
  }
  const where = location(d.context);
  const manifest = readCudaManifest(path.join(d.context.extensionPath, "dist", "cuda-packages.json"));
  const packages = cudaPackagesToInstall(facts);
  d.log.info(`Installing ${packages.join(" and ")} ${manifest.nodeLlamaCpp} from ${readSettings().cudaRegistry} into ${where.storageDir}.`);
  const controller = new AbortController();
  try {
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: "BR-RM: Installing CUDA acceleration", cancellable: true }, async (progress, token) => {
      const onCancel = token.onCancellationRequested(() => controller.abort());
      // Each package's download fills its share of the bar.
      let reported = 0;
      try {
        return await installCuda({
          ...where,
          manifest,
          packages,
          registry: readSettings().cudaRegistry,
          signal: controller.signal,
          onProgress: (p) => {
            if (p.phase !== "downloading" || !p.package) return progress.report({ message: progressMessage(p) });
            const percent = ((packages.indexOf(p.package) + (p.totalBytes ? (p.receivedBytes ?? 0) / p.totalBytes : 0)) / packages.length) * 100;
            progress.report({ message: progressMessage(p), increment: percent - reported });
            reported = percent;
          },
        });
      } finally {
        onCancel.dispose();
      }
    });
    d.log.info(`CUDA ${result.downloaded ? "installed" : "was installed already"}; linked: ${result.linked.join(", ") || "none (the packages are already in the extension)"}.`);
    const runtime = facts.cudaRuntimes.length === 0 ? " CUDA also needs NVIDIA's CUDA runtime (cudart and cuBLAS, 12.4 or newer), which BR-RM did not find." : "";
    void offerReload(`BR-RM: CUDA acceleration is ${result.downloaded ? "installed" : "already installed"}. Reload the window to use it.${runtime}`);
    return true;
  } catch (e) {
    if (isCancelled(e)) {
      d.log.info("CUDA installation cancelled; nothing was installed.");
      void vscode.window.showInformationMessage("BR-RM: CUDA installation cancelled; nothing was installed.");
      return false;
    }
    throw e;
  }
}

async function remove(d: Deps): Promise<boolean> {
  const { unlinked, leftBehind } = await removeCuda(location(d.context));
  d.log.info(`CUDA removed: unlinked ${unlinked.join(", ") || "nothing"}${leftBehind.length > 0 ? `; in use, deleted later: ${leftBehind.join(", ")}` : ""}.`);
  if (unlinked.length === 0 && leftBehind.length === 0) {
    void vscode.window.showInformationMessage("BR-RM: no CUDA acceleration is installed.");
    return false;
  }
  void offerReload(`BR-RM: CUDA acceleration is removed.${leftBehind.length > 0 ? " Files this window still uses are deleted after the reload." : ""} Reload the window to stop using it.`);
  return true;
}

/** What the local backend runs on now (loading llama.cpp, not a model, when nothing is loaded yet). */
async function gpuStatus(d: Deps): Promise<string> {
  const settings = readSettings();
  const compute =
    d.backends.compute ??
    (await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: "BR-RM: starting llama.cpp" }, () => localCompute(settings.local.gpu, settings.local.threads, (m) => d.log.info(m))));
  const text = `BR-RM's local model runs on ${computeText(compute)}. Binary: ${compute.binary}.`;
  void vscode.window.showInformationMessage(text, ...(compute.cudaInstallable ? [INSTALL] : [])).then((answer) => (answer === INSTALL ? vscode.commands.executeCommand("brrm.installCuda") : undefined));
  return text;
}

/** At activation: links installed CUDA binaries into this (possibly new) extension folder. */
async function relinkAtActivation(d: Deps): Promise<void> {
  const where = location(d.context);
  const version = versionOf(where.nodeLlamaCppDir) ?? "";
  const state = await relinkCuda(where, version);
  if (state.kind === "linked" && state.relinked) d.log.info(`CUDA binaries linked into this extension version: ${state.packages.join(", ")}.`);
  if (state.kind === "stale") {
    d.log.info(`The installed CUDA binaries are for node-llama-cpp ${state.nodeLlamaCpp}; this version uses ${version}.`);
    const answer = await vscode.window.showInformationMessage(`BR-RM was updated and its CUDA binaries (for llama.cpp engine ${state.nodeLlamaCpp}) no longer match. Install CUDA acceleration again for this version?`, INSTALL);
    if (answer === INSTALL) await vscode.commands.executeCommand("brrm.installCuda");
  }
}

/** The first local model on a machine with an NVIDIA driver but no CUDA binaries: offer the install, once. */
function offerInstallOnce(d: Deps): vscode.Disposable {
  return d.backends.onDidChangeState((state) => {
    if (state.kind !== "ready" || !d.backends.compute?.cudaInstallable || d.context.globalState.get(OFFERED)) return;
    void d.context.globalState.update(OFFERED, true);
    void vscode.window
      .showInformationMessage(`BR-RM: this machine has an NVIDIA GPU, but the model runs on ${computeText(d.backends.compute)}. Install CUDA acceleration (a 143 MB download, 177 MB more for CUDA 12) to judge faster?`, INSTALL, "Not Now")
      .then((answer) => (answer === INSTALL ? vscode.commands.executeCommand("brrm.installCuda") : undefined));
  });
}

export function registerCudaAcceleration(d: Deps): vscode.Disposable[] {
  void relinkAtActivation(d).catch((e: unknown) => d.log.warn(`CUDA binaries not linked: ${errorMessage(e)}`));
  return [
    registerSafeCommand("brrm.installCuda", async () => install(d), d.log),
    registerSafeCommand("brrm.removeCuda", async () => remove(d), d.log),
    registerSafeCommand("brrm.gpuStatus", async () => gpuStatus(d), d.log),
    offerInstallOnce(d),
  ];
}

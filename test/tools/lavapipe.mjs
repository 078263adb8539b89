// @ts-check
// A real Vulkan driver on a machine without a GPU: Mesa's lavapipe (Vulkan on the CPU) and the
// Vulkan loader, unpacked from Debian's packages into the test cache (nothing is installed
// system-wide, so nobody else's `gpu: auto` changes). llama.cpp's Vulkan build then runs for
// real, through the environment this returns.
//
//   const env = await lavapipeEnv({ visible: true });   // spawn(..., { env: { ...process.env, ...env } })
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { cacheDir } from "./cache.mjs";

const run = promisify(execFile);
const PACKAGES = ["libvulkan1", "mesa-vulkan-drivers"];
const MARKER = ".unpacked";

/** Downloads and unpacks the two packages once; resolves with the folder they were unpacked into. */
async function unpacked() {
  const dir = cacheDir("lavapipe");
  const root = path.join(dir, "root");
  if (fs.existsSync(path.join(dir, MARKER))) return root;
  // apt-get download needs no root; it fetches the .deb files into the current folder.
  await run("apt-get", ["download", ...PACKAGES], { cwd: dir }).catch(async (e) => {
    throw new Error(`Could not download ${PACKAGES.join(", ")} with apt-get (${e.stderr || e.message}). Run "apt-get update" once, then retry.`);
  });
  fs.rmSync(root, { recursive: true, force: true });
  for (const deb of fs.readdirSync(dir).filter((f) => f.endsWith(".deb"))) await run("dpkg", ["-x", path.join(dir, deb), root]);
  fs.writeFileSync(path.join(dir, MARKER), "");
  return root;
}

/**
 * The environment that makes lavapipe the Vulkan driver. llama.cpp skips CPU-type Vulkan
 * devices unless told to use them: `visible: true` names lavapipe in GGML_VK_VISIBLE_DEVICES
 * (the case of a machine with a GPU); without it the Vulkan build finds no device to use.
 * @param {{ visible?: boolean }} [opts]
 * @returns {Promise<Record<string, string>>}
 */
export async function lavapipeEnv(opts = {}) {
  const root = await unpacked();
  const libDir = fs.readdirSync(path.join(root, "usr", "lib")).map((d) => path.join(root, "usr", "lib", d)).find((d) => fs.existsSync(path.join(d, "libvulkan_lvp.so")));
  if (!libDir) throw new Error(`lavapipe (libvulkan_lvp.so) is missing from ${root}`);
  const icdDir = path.join(root, "usr", "share", "vulkan", "icd.d");
  const icdName = fs.readdirSync(icdDir).find((f) => f.startsWith("lvp_icd"));
  if (!icdName) throw new Error(`lavapipe's ICD file is missing from ${icdDir}`);
  // The packaged ICD file names the library's system path: point it at the unpacked one.
  const icd = JSON.parse(fs.readFileSync(path.join(icdDir, icdName), "utf8"));
  icd.ICD.library_path = path.join(libDir, "libvulkan_lvp.so");
  const icdFile = path.join(path.dirname(root), "lvp_icd.json");
  fs.writeFileSync(icdFile, JSON.stringify(icd));
  return {
    LD_LIBRARY_PATH: [libDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(path.delimiter),
    VK_ICD_FILENAMES: icdFile,
    ...(opts.visible ? { GGML_VK_VISIBLE_DEVICES: "0" } : {}),
  };
}

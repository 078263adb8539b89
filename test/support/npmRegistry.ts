// A local server shaped like the npm registry, for the CUDA installer: GET /<@scope%2fname>
// answers the package document (versions -> dist.tarball, dist.integrity), and the tarball URL
// it names serves the file. The tarballs are real ones made by `npm pack`. A leading path
// segment picks how the server misbehaves, so one server serves every case:
//   /            as the registry does (or as `setMode` says)
//   /slow/       tarballs trickle (64 KiB every 50 ms), to cancel a download midway
//   /corrupt/    tarballs have one byte changed (the document still gives the true integrity)

import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "./fixtures";

export interface ServedPackage {
  /** The name it is served under (a small real tarball may stand in for a big one). */
  name: string;
  version: string;
  /** A tarball made by `npm pack`. */
  file: string;
}

export interface Registry {
  /** Base URL (add "slow/" or "corrupt/" for those behaviours). */
  url: string;
  /** Paths requested, in order. */
  requests: string[];
  /** How many times a tarball of this package was requested (any mode). */
  tarballRequests(name: string): number;
  /** How the plain URL behaves from now on (for a client whose registry URL is fixed). */
  setMode(mode: "normal" | "slow" | "corrupt"): void;
  close(): Promise<void>;
}

export const integrityOf = (file: string) => `sha512-${crypto.createHash("sha512").update(fs.readFileSync(file)).digest("base64")}`;

/** The cached `npm pack` tarball of a package at its locked version (scripts/package.mjs fetches and checks it). */
export async function packedTarball(name: string): Promise<string> {
  const script = (await import(pathToFileURL(path.join(REPO_ROOT, "scripts", "package.mjs")).href)) as { packedTarball(name: string): Promise<string> };
  return script.packedTarball(name);
}

export async function startRegistry(packages: ServedPackage[]): Promise<Registry> {
  const requests: string[] = [];
  const byName = new Map(packages.map((p) => [p.name, p]));
  const integrity = new Map(packages.map((p) => [p.name, integrityOf(p.file)]));
  const tarballName = (name: string) => `${name.replace("/", "-")}.tgz`;
  let base = "";
  let plainMode: "normal" | "slow" | "corrupt" = "normal";

  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(req.url ?? "/");
    requests.push(url);
    const [, prefixMode, rest] = /^\/(slow\/|corrupt\/)?(.*)$/.exec(url) ?? [];
    const prefix = `${base}/${prefixMode ?? ""}`;
    const mode = prefixMode ?? (plainMode === "normal" ? undefined : `${plainMode}/`);
    const tarball = /^tarballs\/(.+)$/.exec(rest);
    if (!tarball) {
      const p = byName.get(rest);
      if (!p) return void res.writeHead(404, { "content-type": "application/json" }).end('{"error":"Not found"}');
      const doc = {
        name: p.name,
        "dist-tags": { latest: p.version },
        versions: { [p.version]: { name: p.name, version: p.version, dist: { tarball: `${prefix}tarballs/${tarballName(p.name)}`, integrity: integrity.get(p.name) } } },
      };
      return void res.writeHead(200, { "content-type": "application/vnd.npm.install-v1+json" }).end(JSON.stringify(doc));
    }
    const p = packages.find((x) => tarballName(x.name) === tarball[1]);
    if (!p) return void res.writeHead(404).end();
    const bytes = fs.readFileSync(p.file);
    if (mode === "corrupt/") bytes[bytes.length >> 1] ^= 0xff;
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": bytes.length });
    if (mode !== "slow/") return void res.end(bytes);
    let offset = 0;
    const timer = setInterval(() => {
      if (offset >= bytes.length || res.destroyed) return void (clearInterval(timer), res.end());
      res.write(bytes.subarray(offset, (offset += 65536)));
    }, 50);
    res.on("close", () => clearInterval(timer));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${base}/`,
    requests,
    tarballRequests: (name) => requests.filter((r) => r.endsWith(`tarballs/${tarballName(name)}`)).length,
    setMode: (mode) => (plainMode = mode),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

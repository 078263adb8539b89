// Shared by the tests of the OpenAI-compatible backend: the pair, real llama-servers, and
// running `brrm` as a subprocess without blocking (llama-server's log pipe must keep draining).

import { spawn, type ChildProcess } from "node:child_process";
import { startLlamaServer, tinyModel } from "./fixtures";

export const PAIR = {
  prompt: "A train leaves at 3:40 pm and the trip takes 2 h 35 min. When does it arrive?",
  response1: "It arrives at 6:15 pm: 3:40 + 2:00 = 5:40, and 5:40 + 0:35 = 6:15.",
  response2: "It arrives at 6:05 pm.",
};

export type LlamaServer = Awaited<ReturnType<typeof startLlamaServer>> & { process: ChildProcess };

/** llama-server on the tiny model; `-c 4096` unless args say otherwise. */
export async function tinyServer(args: string[] = []): Promise<LlamaServer> {
  const model = await tinyModel();
  const withCtx = args.includes("-c") ? args : ["-c", "4096", ...args];
  // test/tools/llama-server.mjs returns the child process too; the fixture's type leaves it out.
  return (await startLlamaServer({ model, args: withCtx })) as LlamaServer;
}

export interface SlotState {
  id: number;
  is_processing: boolean;
}

/** Whether every slot of a llama-server is idle (GET /slots). */
export async function slotsIdle(url: string): Promise<boolean> {
  const slots = (await (await fetch(`${url}/slots`)).json()) as SlotState[];
  return slots.every((s) => !s.is_processing);
}

export async function waitFor(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `node cli args` and collects its output; `onStderr` sees stderr as it arrives. */
export function runCli(
  cli: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; onStderr?: (text: string, child: ChildProcess) => void } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [cli, ...args], { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      opts.onStderr?.(stderr, child);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 300_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

// @ts-check
// `npm run test:busy -- <filters>`: the tests with a CPU hog on every core beside them (one
// busy-looping process per core, as a shared CI machine or a build next door would be), to show
// that they wait on the state they need and not on time. The hogs end with the run.
import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const hogs = Array.from({ length: os.availableParallelism() }, () => spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }));
const stopHogs = () => {
  for (const h of hogs) h.kill("SIGKILL");
};
process.on("SIGINT", () => {
  stopHogs();
  process.exit(130);
});
console.log(`${hogs.length} CPU hogs running (pids ${hogs.map((h) => h.pid).join(", ")})`);
const tests = spawn(process.execPath, [path.join(root, "test", "run.mjs"), ...process.argv.slice(2)], { stdio: "inherit", cwd: root });
tests.on("exit", (code, signal) => {
  stopHogs();
  process.exit(code ?? (signal ? 1 : 0));
});

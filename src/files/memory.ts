import * as fs from "node:fs";

/**
 * Peak resident memory of this process, in MB. Read from VmHWM where Linux has it, not from
 * getrusage's maxrss: Linux carries maxrss over from the parent across fork and exec, so a
 * process started by a big one (a bench, an editor) would report its parent's peak.
 */
export function peakRssMB(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync("/proc/self/status", "utf8"));
    if (hwm) return Number(hwm[1]) / 1024;
  } catch {
    // Not Linux.
  }
  return process.resourceUsage().maxRSS / 1024;
}

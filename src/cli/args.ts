// Argument helpers shared by the `brrm` commands: typed values with errors that name the flag
// and the fix.

import * as fs from "node:fs";
import { BrrmError } from "../core/errors";

/** Bad command-line input: exit code 2, the message says what to change. */
export class UsageError extends BrrmError {
  constructor(message: string) {
    super("USAGE", message);
    this.name = "UsageError";
  }
}

/** `text`, `@file` (the file's content), `@-` (stdin) or `@@text` (a literal leading @). */
export function readTextArg(flag: string, value: string | undefined): string {
  if (value === undefined) throw new UsageError(`--${flag} is required.`);
  let text = value;
  if (value.startsWith("@@")) text = value.slice(1);
  else if (value.startsWith("@")) {
    const file = value.slice(1);
    try {
      text = fs.readFileSync(file === "-" ? 0 : file, "utf8");
    } catch (e) {
      throw new UsageError(`--${flag} ${value}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Give the text itself or @path-to-an-existing-file.`);
    }
  }
  if (!text.trim()) throw new UsageError(`--${flag} is empty. Give the text, or @file with the text in it.`);
  return text;
}

export function numberArg(flag: string, value: string | undefined, { min, max, integer = false }: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const kind = integer ? "an integer" : "a number";
  if (value.trim() === "" || !Number.isFinite(n) || (integer && !Number.isInteger(n)))
    throw new UsageError(`--${flag} must be ${kind}, got "${value}".`);
  if ((min !== undefined && n < min) || (max !== undefined && n > max))
    throw new UsageError(`--${flag} must be ${kind}${min !== undefined ? ` >= ${min}` : ""}${max !== undefined ? ` and <= ${max}` : ""}, got ${value}.`);
  return n;
}

export function choiceArg<T extends string>(flag: string, value: string | undefined, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`--${flag} must be one of ${choices.join(", ")}; got "${value}".`);
  return value as T;
}

/** A share given as a fraction (`0.8`) or a percentage (`80%`), as a fraction. */
export function fractionArg(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const percent = value.trim().endsWith("%");
  const n = Number(percent ? value.trim().slice(0, -1) : value);
  const fraction = percent ? n / 100 : n;
  if (value.trim() === "" || !Number.isFinite(n) || fraction < 0 || fraction > 1)
    throw new UsageError(`--${flag} must be a fraction from 0 to 1 (0.8) or a percentage (80%), got "${value}".`);
  return fraction;
}

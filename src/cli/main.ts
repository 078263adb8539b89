// `brrm`: the BR-RM judge on the command line, for scripts and CI.

import { BrrmError, errorMessage, isCancelled } from "../core/errors";
import { UsageError } from "./args";
import { benchmarkCommand } from "./benchmark";
import { EXIT, type Command } from "./command";
import { compareCommand } from "./compare";
import { doctorCommand } from "./doctor";
import { evalCommand } from "./eval";
import { modelsCommand } from "./models";
import { parseCommand } from "./parseCommand";
import { reportCommand } from "./report";
import { variantsCommand } from "./variants";

const COMMANDS: Command[] = [compareCommand, evalCommand, benchmarkCommand, variantsCommand, reportCommand, parseCommand, modelsCommand, doctorCommand];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: brrm <command> [options]

Judges which of two responses to a prompt is better, and why, with NVIDIA's Branch-and-Rethink
reward model (BR-RM).

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n")}

Run \`brrm <command> --help\` for a command's options and exit codes. Without a command, or with
an unknown one, brrm exits 2.`;
}

/** Node's parseArgs errors name the flag; say what to do about it. */
function usageFromParseArgs(e: unknown, command: Command): UsageError | undefined {
  const code = (e as { code?: string }).code;
  if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS"))
    return new UsageError(`${(e as Error).message}. See \`brrm ${command.name} --help\`.`);
  return undefined;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${mainHelp()}\n`);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === "--version") {
    process.stdout.write(`${process.env.BRRM_VERSION ?? "dev"}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`brrm: unknown command "${name}". Commands: ${COMMANDS.map((c) => c.name).join(", ")}. See \`brrm --help\`.\n`);
    return EXIT.usage;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`${command.help}\n`);
    return EXIT.ok;
  }

  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    // First Ctrl-C stops the work cleanly (finished results are kept); a second one exits now.
    if (++interrupts > 1) process.exit(EXIT.interrupted);
    process.stderr.write("\nbrrm: stopping… (Ctrl-C again to quit at once)\n");
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return await command.run(rest, { signal: controller.signal });
  } catch (e) {
    const usage = e instanceof UsageError ? e : usageFromParseArgs(e, command);
    if (usage) {
      process.stderr.write(`brrm ${command.name}: ${usage.message}\n`);
      return EXIT.usage;
    }
    if (isCancelled(e)) {
      process.stderr.write("brrm: cancelled.\n");
      return EXIT.interrupted;
    }
    process.stderr.write(`brrm ${command.name}: ${errorMessage(e)}\n`);
    if (!(e instanceof BrrmError) && process.env.BRRM_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    return EXIT.failure;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`brrm: ${errorMessage(e)}\n`);
      process.exitCode = EXIT.failure;
    },
  );
}

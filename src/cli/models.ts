// `brrm models`: what an OpenAI-compatible endpoint serves, to find the name for --model.

import { parseArgs } from "node:util";
import { listModels } from "../backends/openai";
import { numberArg, UsageError } from "./args";
import { EXIT, type Command } from "./command";
import { apiKeyFrom } from "./judgeOptions";

export const modelsCommand: Command = {
  name: "models",
  summary: "list the models an OpenAI-compatible endpoint serves",
  help: `Usage: brrm models --endpoint <base-url> [--api-key-env NAME] [--timeout S] [--json]

Asks the endpoint (GET <base-url>/models) which models it serves and prints one name per line:
the names to pass as --model with --backend openai.

  --endpoint <url>      base URL, e.g. http://127.0.0.1:8080/v1
  --api-key-env NAME    environment variable holding the API key (default OPENAI_API_KEY)
  --timeout S           seconds to wait for the answer (default 30)
  --json                print a JSON array of names

Exit codes: 0 listed, 2 a usage error, 1 the endpoint failed (the message says why), 130 stopped
by Ctrl-C.`,
  async run(argv, { signal }) {
    const { values } = parseArgs({
      args: argv,
      options: { endpoint: { type: "string" }, "api-key-env": { type: "string" }, timeout: { type: "string" }, json: { type: "boolean" } },
      strict: true,
      allowPositionals: false,
    });
    if (values.endpoint === undefined) throw new UsageError("--endpoint <base-url> is required, e.g. --endpoint http://127.0.0.1:8080/v1.");
    const { apiKey, keySource } = apiKeyFrom(values["api-key-env"]);
    const timeout = numberArg("timeout", values.timeout, { min: 1 }) ?? 30;
    try {
      new URL(values.endpoint);
    } catch {
      throw new UsageError(`--endpoint "${values.endpoint}" is not a URL. Give it as http(s)://host:port/v1.`);
    }
    const models = await listModels({
      baseURL: values.endpoint,
      apiKey,
      keySource,
      timeoutMs: Math.round(timeout * 1000),
      signal,
    });
    process.stdout.write(values.json ? `${JSON.stringify(models)}\n` : models.map((m) => `${m}\n`).join(""));
    return EXIT.ok;
  },
};

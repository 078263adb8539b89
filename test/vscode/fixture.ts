// The folder and user settings the extension-host suite runs with, shared by the code-server
// runner (extension-host.test.ts) and the @vscode/test-electron runner (electron.ts).

import { workspace } from "../e2e/support/workbench";

const PAIR = {
  prompt: "What is 17 * 24?",
  response1: "17 * 24 = 408. (17 * 20 = 340, 17 * 4 = 68, 340 + 68 = 408.)",
  response2: "17 * 24 = 418.",
};

const JSONL = [
  { prompt: "Capital of Australia?", chosen: "Canberra.", rejected: "Sydney." },
  { question: "Is 91 prime?", response_a: "No: 91 = 7 * 13.", response_b: "Yes, 91 is prime." },
  { prompt: "Say hi.", response1: "Hi!", response2: "Hello there." },
]
  .map((r) => JSON.stringify(r))
  .join("\n");

const NOTES = `# Notes

Q: What is the boiling point of water at sea level, in degrees Celsius?
A1: Water boils at 100 degrees Celsius at sea level.
A2: Water boils at 90 degrees Celsius at sea level.
`;

/** A fresh folder with the files the suite opens (removed when the process exits). */
export function suiteWorkspace(): string {
  return workspace({
    "pair.json": `${JSON.stringify(PAIR, null, 2)}\n`,
    "pairs.jsonl": `${JSONL}\n`,
    "notes.md": NOTES,
    "plain.txt": "Nothing to compare here.\n",
  });
}

export { tinyModelSettings as suiteSettings } from "../e2e/support/workbench";

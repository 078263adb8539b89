// Mocha entry point for the notebook, evaluation and results-writer suites in the real extension host (run by
// test/e2e/notebook-host.test.ts, so `npm test -- notebook` runs them without the rest).

import * as path from "node:path";
import Mocha from "mocha";

const ORDER = ["notebook", "evaluation", "writers"];

export function run(): Promise<void> {
  // BRRM_SUITE_GREP runs only the tests whose title matches (while working on one).
  const grep = process.env.BRRM_SUITE_GREP;
  const mocha = new Mocha({ ui: "bdd", color: false, timeout: 60_000, reporter: "spec", ...(grep ? { grep } : {}) });
  for (const name of ORDER) mocha.addFile(path.join(__dirname, `${name}.suite.js`));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed.`)) : resolve()));
  });
}

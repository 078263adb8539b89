// Mocha entry point inside the real extension host (VS Code's extension-test convention:
// module.exports.run(): Promise<void>). The order matters: activation is checked before any
// test activates the extension, and the backend manager (which loads its own copy of the
// engine) runs last.

import * as path from "node:path";
import Mocha from "mocha";

const ORDER = ["activation", "manifest", "records", "settings", "diagnostics", "compare", "gpu", "backendManager"];

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: "bdd", color: false, timeout: 60_000, reporter: "spec" });
  for (const name of ORDER) mocha.addFile(path.join(__dirname, `${name}.suite.js`));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed.`)) : resolve()));
  });
}

// @ts-check
// Mocha entry point, VS Code extension-test convention: module.exports.run(): Promise<void>.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const Mocha = require("mocha"); // resolved from /work/main/node_modules

/** @returns {Promise<void>} */
module.exports.run = function run() {
  const mocha = new Mocha({ ui: "bdd", color: false, timeout: 30_000, reporter: "spec" });
  for (const f of fs.readdirSync(__dirname).sort()) {
    if (f.endsWith(".test.js")) mocha.addFile(path.join(__dirname, f));
  }
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => {
        if (failures > 0) reject(new Error(`${failures} test(s) failed.`));
        else resolve();
      });
    } catch (err) {
      reject(err);
    }
  });
};

// test_pagescore_js.js: the browser extension's scorer
// (packaging/browser/extension/pagescore.js, with wording.js) gives every
// page of tests/data/pagescore.jsonl the score written there, as the C
// scorer does (test_pagescore.c). Run by Node: node test_pagescore_js.js
"use strict";

const fs = require("fs");
const path = require("path");
const vm = require("vm");

const source = process.env.RDG_SOURCE_DIR || path.join(__dirname, "../..");
const extension = path.join(source, "packaging/browser/extension");
const fixtures = path.join(source, "tests/data/pagescore.jsonl");

// The extension's scripts run as content scripts do: in one global scope.
const scope = vm.createContext({});
for (const file of ["wording.js", "pagescore.js"]) {
  const code = fs.readFileSync(path.join(extension, file), "utf8");
  vm.runInContext(code, scope, { filename: file });
}
const scorer = scope.rdguardPageScore;

let pages = 0;
let wrong = 0;
fs.readFileSync(fixtures, "utf8").split("\n").forEach((line, i) => {
  if (line === "" || line.startsWith("#")) return;
  const page = JSON.parse(line);
  const got = scorer.score(page.title, page.text, page.indicators).score;
  pages++;
  if (got !== page.score) {
    wrong++;
    console.error(`${fixtures}:${i + 1}: ${page.name}: score ${got}, ` +
      `expected ${page.score}`);
  }
});

// The indicators the extension sends: the signs that counted, with
// phone-number when the text has a number, in the order of the rules.
const shown = scorer.score("", "Call +1 888 555 0100", ["audio", "bogus",
  "fullscreen"]).indicators;
if (JSON.stringify(shown) !== '["fullscreen","audio","phone-number"]') {
  wrong++;
  console.error(`indicators sent: ${JSON.stringify(shown)}`);
}

if (pages < 20) {
  console.error(`${fixtures}: only ${pages} pages; at least 20 are needed`);
  process.exit(1);
}
console.log(`${pages} pages, ${wrong} scored wrong`);
process.exit(wrong === 0 ? 0 : 1);

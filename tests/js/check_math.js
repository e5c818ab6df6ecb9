#!/usr/bin/env node
// Renders formulas with KaTeX (throwOnError, strict) and reports the ones that fail.
// Input (stdin): JSON [{"id": "...", "tex": "...", "display": true|false}, ...]
// Output (stdout): JSON {"checked": N, "failures": [{"id", "tex", "error"}]}; exit 1 if any fail.
"use strict";
const katex = require("katex");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const items = JSON.parse(input);
  const failures = [];
  for (const item of items) {
    try {
      katex.renderToString(item.tex, {
        displayMode: Boolean(item.display),
        throwOnError: true,
        strict: "error",
        trust: false,
      });
    } catch (err) {
      failures.push({ id: item.id, tex: item.tex, error: String(err.message || err) });
    }
  }
  process.stdout.write(JSON.stringify({ checked: items.length, katex: katex.version, failures }) + "\n");
  process.exit(failures.length ? 1 : 0);
});

#!/usr/bin/env node
// Runs every compiled test file with Node's test runner. Node 20 has no glob
// support in `node --test`, so the files are listed here.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const roots = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const filters = roots.length > 0 ? roots : ["packages"];
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith(".test.js") && /\/(dist\/test|dist-test)\//.test(path)) files.push(path);
  }
}
for (const pkg of readdirSync("packages")) walk(join("packages", pkg));
const selected = files.filter((f) => filters.some((x) => f.includes(x))).sort();
if (selected.length === 0) {
  console.error("no test files found; run `tsc -b` first");
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ["--enable-source-maps", "--test", "--test-concurrency=2", "--test-reporter=spec", ...selected],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);

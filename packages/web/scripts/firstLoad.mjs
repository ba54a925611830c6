// The files a browser must fetch before a page can run: the page, the
// stylesheets and scripts it names, and every module those scripts import
// statically. Dynamic `import("…")` chunks are left out: they load when a
// feature is used. Read from the built files themselves, so the build's
// report and the budget test (test/bundleBudget.test.ts) see what a browser sees.
import { readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";

/** Paths relative to `root`, the page first. */
export function firstLoadFiles(root, page) {
  const seen = new Set([page]);
  const queue = [];
  const html = readFileSync(join(root, page), "utf8");
  for (const match of html.matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="\/([^"]+\.(?:js|css))"/g))
    queue.push(match[1]);
  while (queue.length > 0) {
    const file = queue.shift();
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.endsWith(".js")) continue;
    const code = readFileSync(join(root, file), "utf8");
    // esbuild writes static imports as `from"./x.js"` or `import"./x.js"`; a dynamic one has a parenthesis.
    for (const match of code.matchAll(/\b(?:from|import)\s*"(\.\.?\/[^"]+)"/g)) {
      queue.push(
        normalize(join(dirname(file), match[1]))
          .split("\\")
          .join("/"),
      );
    }
  }
  return [...seen];
}

#!/usr/bin/env node
// Builds the web app into dist/www: an ES module per page with the chunks its
// dynamic imports load, one stylesheet per page, the service worker and the
// static files. Everything is served by the Bote
// server itself — no CDN, no third-party request. Run after `tsc -b`
// (the root `build`, `prepare` and `test` scripts do).
import { analyzeMetafile, build } from "esbuild";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { firstLoadFiles } from "./firstLoad.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = join(root, "dist", "www");
const production = process.env.BOTE_WEB_DEV !== "1";

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const pages = await build({
  // The customer page of a contact point is a bundle of its own: a customer's
  // phone loads the form, not the staff app.
  entryPoints: { app: join(root, "src/app/main.tsx"), customer: join(root, "src/customer/main.tsx") },
  outdir: out,
  bundle: true,
  format: "esm",
  // Features the first screen does not need (PDF/ZIP export, QR codes, the
  // post-quantum suite) are dynamic imports; splitting makes them chunks
  // that load when used, and shares code between the two pages.
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  metafile: true,
  target: ["chrome111", "firefox115", "safari16"],
  jsx: "automatic",
  jsxImportSource: "preact",
  minify: production,
  sourcemap: "linked",
  legalComments: "linked",
  // jsPDF's HTML and SVG rendering, which Bote never calls: left out of the bundle.
  external: ["html2canvas", "dompurify", "canvg"],
  logLevel: "warning",
});

// What is in the bundles and why, next to (not inside) the served files.
writeFileSync(join(root, "dist", "bundle-meta.json"), JSON.stringify(pages.metafile));
writeFileSync(join(root, "dist", "bundle-report.txt"), await analyzeMetafile(pages.metafile));

cpSync(join(root, "src/app/index.html"), join(out, "index.html"));
cpSync(join(root, "src/customer/customer.html"), join(out, "customer.html"));
if (existsSync(join(root, "public"))) cpSync(join(root, "public"), out, { recursive: true });

const workerScript = {
  outdir: out,
  bundle: true,
  format: "iife",
  target: ["chrome111", "firefox115", "safari16"],
  minify: production,
  logLevel: "warning",
};
// The push script is loaded by the service worker (importScripts, once, at its
// install) and kept by the browser with it: not a shell file, but part of the build id.
const PUSH_SCRIPT = "sw-push.js";
await build({ ...workerScript, entryPoints: { "sw-push": join(root, "src/push/swPush.ts") }, sourcemap: "linked" });

// The service worker caches exactly the app shell of this build; a new build gets a new cache.
function listFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}
const built = listFiles(out).filter((path) => !path.endsWith(".map") && !path.endsWith(".LEGAL.txt"));
const hash = createHash("sha256");
for (const path of built.sort()) hash.update(relative(out, path)).update(readFileSync(path));
const shell = built.filter((path) => relative(out, path) !== PUSH_SCRIPT);
const shellFiles = ["/", ...shell.map((path) => `/${relative(out, path).split("\\").join("/")}`)];

await build({
  ...workerScript,
  entryPoints: { sw: join(root, "src/sw.ts") },
  define: {
    BOTE_SHELL_FILES: JSON.stringify(shellFiles),
    BOTE_BUILD_ID: JSON.stringify(hash.digest("hex").slice(0, 16)),
    BOTE_PUSH_SCRIPT: JSON.stringify(`/${PUSH_SCRIPT}`),
  },
});
writeFileSync(join(out, "build.json"), `${JSON.stringify({ files: shellFiles }, null, 2)}\n`);
// The server sends a file's .gz twin to browsers that accept gzip (it compresses nothing itself).
for (const path of listFiles(out).filter((p) => /\.(html|js|css|json|webmanifest|svg)$/.test(p))) {
  writeFileSync(`${path}.gz`, gzipSync(readFileSync(path), { level: 9 }));
}
console.log(`web app built: ${relative(process.cwd(), out) || out} (${shellFiles.length} shell files)`);
for (const [page, html] of [
  ["app", "index.html"],
  ["customer", "customer.html"],
]) {
  const files = firstLoadFiles(out, html);
  const gzip = files.reduce((sum, file) => sum + gzipSync(readFileSync(join(out, file))).length, 0);
  console.log(`  first load of ${page}: ${(gzip / 1000).toFixed(1)} kB gzip (${files.join(", ")})`);
}
console.log(`  service worker: ${(gzipSync(readFileSync(join(out, "sw.js"))).length / 1000).toFixed(1)} kB gzip`);

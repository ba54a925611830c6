/**
 * The web app end to end: a real `bote serve` process (SQLite in a temp
 * directory) serving the built app, and one real Chromium with a context per
 * person — exactly what a person gets from `npm start` and a browser.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
export { launchChromium } from "./browserPage.js";

// The `bote` command of this repository (its committed bin entry), run as a separate process.
const boteBin = fileURLToPath(new URL("../../../cli/bin/bote.js", import.meta.url));
export const webRoot = fileURLToPath(new URL("../../dist/www", import.meta.url));
export const artifactsDir = fileURLToPath(new URL("../../../../test-artifacts/web", import.meta.url));
export const docsScreenshotsDir = fileURLToPath(new URL("../../../../docs/screenshots", import.meta.url));

export const PHONE = { width: 360, height: 740 } as const;
export const DESKTOP = { width: 1280, height: 800 } as const;

export interface BoteServer {
  readonly url: string;
  /** The server's data directory: SQLite database, blobs, secrets. */
  readonly dataDir: string;
  readonly adminInvitation: string;
  logs(): string;
  /** Stops the server process and keeps its data, as a restart or a network outage would. */
  pause(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

export async function startBote(orgName: string): Promise<BoteServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "bote-web-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  let child = await spawnBote(orgName, dataDir, port, (text) => (output += text));
  const adminInvitation = readFileSync(join(dataDir, "initial-admin-invite"), "utf8").trim();
  const stopChild = async () => {
    if (child.exitCode !== null) return;
    await new Promise((resolve) => {
      child.once("exit", resolve);
      child.kill("SIGTERM");
    });
  };
  return {
    url,
    dataDir,
    adminInvitation,
    logs: () => output,
    pause: stopChild,
    resume: async () => {
      child = await spawnBote(orgName, dataDir, port, (text) => (output += text));
    },
    stop: async () => {
      await stopChild();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `bote serve` on `port` with its data in `dataDir`; resolves once it listens. */
async function spawnBote(orgName: string, dataDir: string, port: number, log: (text: string) => void) {
  const url = `http://127.0.0.1:${port}`;
  const args = ["serve", "--host", "127.0.0.1", "--port", String(port), "--public-url", url, "--data", dataDir];
  const child: ChildProcess = spawn(
    process.execPath,
    [boteBin, ...args, "--org-name", orgName, "--web-root", webRoot, "--log-level", "warn"],
    { env: { ...process.env, LANG: "de_DE.UTF-8" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => log(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    log(chunk.toString());
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bote serve did not start: ${output}`)), 15_000);
    child.stderr?.on("data", () => {
      if (/(?:läuft auf|running at) http/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`bote serve exited with ${code}: ${output}`));
    });
  });
  return child;
}

export interface Person {
  readonly name: string;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and failed requests to other origins, checked at the end. */
  readonly problems: string[];
}

export async function openPerson(
  browser: Browser,
  name: string,
  viewport: { width: number; height: number },
  origin: string,
) {
  const context = await browser.newContext({ viewport, locale: "de-DE", timezoneId: "Europe/Berlin" });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith("blob:") && !url.startsWith("data:")) {
      problems.push(`third-party request: ${url}`);
    }
  });
  page.on("console", (message) => {
    // The browser itself logs refused connections while a test has the server stopped.
    if (message.type() === "error" && !message.text().includes("ERR_CONNECTION_REFUSED")) {
      problems.push(`console: ${message.text()}`);
    }
  });
  // Test instrumentation (injected by the browser, outside the page's CSP): keep each blob behind a
  // blob: URL, so a test can read the bytes the app decrypted without the page fetching blob: URLs.
  await page.addInitScript(() => {
    const blobs = new Map<string, Blob>();
    const create = URL.createObjectURL.bind(URL);
    URL.createObjectURL = (object: Blob | MediaSource) => {
      const url = create(object);
      if (object instanceof Blob) blobs.set(url, object);
      return url;
    };
    (globalThis as unknown as { __boteBlobs: Map<string, Blob> }).__boteBlobs = blobs;
  });
  page.setDefaultTimeout(20_000);
  return { name, context, page, problems } satisfies Person;
}

/** Saves a screenshot as a test artifact, and into docs/screenshots when BOTE_UPDATE_SCREENSHOTS=1. */
export async function screenshot(page: Page, name: string, forDocs = true): Promise<void> {
  const path = join(artifactsDir, `${name}.png`);
  mkdirSync(dirname(path), { recursive: true });
  const shot = await page.screenshot({ path });
  if (forDocs && process.env.BOTE_UPDATE_SCREENSHOTS === "1") {
    mkdirSync(docsScreenshotsDir, { recursive: true });
    writeFileSync(join(docsScreenshotsDir, `${name}.png`), shot);
  }
}

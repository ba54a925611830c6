/**
 * One real Chromium page for a test file: an entry of test/support bundled by
 * esbuild, served with a few fixed files from a node:http server on
 * 127.0.0.1, port 0. With `backend`, every other request (HTTP and WebSocket
 * upgrades) is passed through to that server, so the page and the Bote API
 * share one origin as they do in production, where the server serves the app.
 * Without /usr/bin/chromium the tests skip and say why; under CI=true they fail.
 */
import { existsSync } from "node:fs";
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
/** The launch flags the issue fixes for Debian's Chromium in CI. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Debian's Chromium with the flags above (and `extra`) — never a downloaded browser. */
export function launchChromium(extra: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_FLAGS, ...extra] });
}

export const packageDir = fileURLToPath(new URL("../../", import.meta.url));

/** Why the browser tests of `what` cannot run here, or undefined when they can. */
export function chromiumSkipReason(what: string): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const reason = `${CHROMIUM} is missing (apt-get install -y --no-install-recommends chromium)`;
  if (process.env.CI === "true") throw new Error(`${reason} (CI=true: browser tests must run)`);
  console.log(`# skipping ${what}: ${reason}`);
  return reason;
}

export interface StaticFile {
  readonly type: string;
  readonly body: Uint8Array | string;
}

export interface PageOptions {
  /** Served as they are, by path ("/fixtures/photo.jpg"). */
  readonly files?: Readonly<Record<string, StaticFile>>;
  /** Answered by these handlers, by path without the query, before files and the backend. */
  readonly routes?: Readonly<Record<string, (request: IncomingMessage, response: ServerResponse) => void>>;
  /** Called once the page's origin is known, before the page loads; answers the server to pass through to. */
  readonly backend?: (origin: string) => Promise<string>;
  /** The global the page's script sets once it is ready. Default "bote". */
  readonly global?: string;
}

export interface BrowserPage {
  readonly page: Page;
  readonly origin: string;
  close(): Promise<void>;
}

/** Bundles `entry` (a path below the package, e.g. "test/support/mediaPage.ts") and opens it at `/`. */
export async function openBrowserPage(entry: string, options: PageOptions = {}): Promise<BrowserPage> {
  const bundle = await build({
    entryPoints: [`${packageDir}${entry}`],
    absWorkingDir: packageDir,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "chrome120",
    write: false,
    logLevel: "silent",
  });
  const files: Record<string, StaticFile> = {
    "/": {
      type: "text/html",
      body: '<!doctype html><meta charset="utf-8"><title>test</title><script type="module" src="/page.js"></script>',
    },
    "/page.js": { type: "text/javascript", body: bundle.outputFiles[0]!.contents },
    ...options.files,
  };
  let backend: URL | undefined;
  const server = createServer((request, response) => {
    const file = files[request.url ?? ""];
    const route = options.routes?.[new URL(request.url ?? "/", "http://page").pathname];
    if (route !== undefined) {
      route(request, response);
    } else if (file !== undefined) {
      response.writeHead(200, { "content-type": file.type, "cache-control": "no-store" }).end(file.body);
    } else if (backend !== undefined) {
      const forwarded = httpRequest(
        new URL(request.url ?? "/", backend),
        { method: request.method, headers: request.headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      forwarded.once("error", () => response.destroy());
      request.pipe(forwarded);
    } else {
      response.writeHead(404).end();
    }
  });
  const tunnels = new Set<{ destroy(): void }>();
  server.on("upgrade", (request: IncomingMessage, socket, head: Buffer) => {
    if (backend === undefined) return socket.destroy();
    tunnels.add(socket);
    const upstream = connect(Number(backend.port), backend.hostname, () => {
      const lines = [`${request.method} ${request.url} HTTP/1.1`];
      for (let i = 0; i < request.rawHeaders.length; i += 2)
        lines.push(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    tunnels.add(upstream);
    upstream.once("error", () => socket.destroy());
    socket.once("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${portOf(server)}`;
  let browser: Browser | undefined;
  try {
    if (options.backend !== undefined) backend = new URL(await options.backend(origin));
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    await page.waitForFunction((name) => name in globalThis, options.global ?? "bote");
    const opened = browser;
    return {
      page,
      origin,
      async close() {
        await opened.close();
        for (const tunnel of tunnels) tunnel.destroy();
        await closeServer(server);
      },
    };
  } catch (error) {
    await browser?.close();
    await closeServer(server);
    throw error;
  }
}

export function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("server has no port");
  return address.port;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

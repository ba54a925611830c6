/**
 * The web app's built files at `/` (index.html also at `/join`, where
 * invitation links point, and at `/link`, where a device link's QR code
 * points; token and code are in the fragment and never reach the server). Files are read at request time; nothing outside the web root,
 * no dotfiles and no directory listing. Not rate-limited: a browser loads
 * several files per visit and none of them touches the store. A file the
 * build also wrote gzipped (`app.js.gz`, scripts/build.mjs) goes out as that
 * to a browser that accepts gzip: a phone on a slow network downloads a
 * third, and the server compresses nothing per request.
 */
import { open, realpath, stat as statOf } from "node:fs/promises";
import { extname, join, sep } from "node:path";
import { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ServerContext } from "../context.js";
import { sendError } from "../errors.js";

/** Largest file served: the app's bundle with its source map is a few MiB. */
export const MAX_WEB_FILE_BYTES = 32 * 1024 * 1024;
const MAX_SEGMENTS = 8;

/** The types the build produces; any other file is not served. */
const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** Paths the API owns: never answered from the web root, whatever the build contains. */
function isApiPath(path: string): boolean {
  return path === "/v1" || path.startsWith("/v1/") || path === "/healthz" || path === "/readyz";
}

/**
 * The path segments of a request for a file, or undefined for anything that
 * is not a plain relative path: `..`, `.`, dotfiles, encoded slashes or
 * backslashes, NUL, empty segments (directories), undecodable escapes.
 */
export function webPathSegments(rawUrl: string): string[] | undefined {
  const path = rawUrl.split("?")[0] ?? "";
  if (!path.startsWith("/") || /%2f|%5c|%00|\\/i.test(path)) return undefined;
  const raw = path.slice(1).split("/");
  if (raw.length > MAX_SEGMENTS) return undefined;
  const segments: string[] = [];
  for (const part of raw) {
    let segment: string;
    try {
      segment = decodeURIComponent(part);
    } catch {
      return undefined;
    }
    if (segment === "" || segment.startsWith(".") || /[/\\\0]/.test(segment)) return undefined;
    segments.push(segment);
  }
  return segments;
}

export function webAppRoutes(app: FastifyInstance, ctx: ServerContext, webRoot: string): void {
  const serveIndex = (request: FastifyRequest, reply: FastifyReply) =>
    serveFile(request, reply, ctx, webRoot, ["index.html"]);
  app.get("/", serveIndex);
  app.get("/join", serveIndex);
  app.get("/link", serveIndex);
  // A contact point's customer page (docs/PROTOCOL.md §18); the slug is read by the page.
  app.get("/k/:slug", (request, reply) => serveFile(request, reply, ctx, webRoot, ["customer.html"]));
  app.get("/*", (request, reply) => {
    const path = request.url.split("?")[0] ?? "";
    if (isApiPath(path)) return sendError(reply, request, "not_found");
    const segments = webPathSegments(request.url);
    if (segments === undefined) return sendError(reply, request, "not_found");
    return serveFile(request, reply, ctx, webRoot, segments);
  });
}

async function serveFile(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: ServerContext,
  webRoot: string,
  segments: readonly string[],
): Promise<FastifyReply> {
  const type = contentTypes[extname(segments.at(-1) ?? "").toLowerCase()];
  if (type === undefined) return sendError(reply, request, "not_found");
  let root: string;
  let file: string;
  try {
    root = await realpath(webRoot);
    // Symlinks are followed, but the file they lead to must still be inside the web root.
    file = await realpath(join(root, ...segments));
  } catch {
    return sendError(reply, request, "not_found");
  }
  if (!file.startsWith(root + sep)) return sendError(reply, request, "not_found");
  const gzipped = acceptsGzip(request) ? await gzippedTwin(root, file) : undefined;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(gzipped ?? file, "r");
  } catch {
    return sendError(reply, request, "not_found");
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile() || stat.size > MAX_WEB_FILE_BYTES) {
      if (stat.size > MAX_WEB_FILE_BYTES) ctx.log.warn({ size: stat.size }, "web app file too large to serve");
      await handle.close();
      return sendError(reply, request, "not_found");
    }
    const etag = `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}${gzipped === undefined ? "" : "-gz"}"`;
    // no-cache: the browser revalidates every time, so a new build (and its service worker) is picked up at once.
    reply.header("cache-control", "no-cache").header("etag", etag).header("vary", "accept-encoding").type(type);
    if (gzipped !== undefined) reply.header("content-encoding", "gzip");
    if (request.headers["if-none-match"] === etag) {
      await handle.close();
      return reply.code(304).send();
    }
    reply.header("content-length", stat.size);
    if (request.method === "HEAD") {
      await handle.close();
      // An empty stream keeps the Content-Length above (an empty body would reset it to 0).
      return reply.send(Readable.from([]));
    }
    return reply.send(handle.createReadStream());
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err;
  }
}

function acceptsGzip(request: FastifyRequest): boolean {
  const accepted = request.headers["accept-encoding"];
  if (typeof accepted !== "string") return false;
  return accepted.split(",").some((part) => {
    const [name, ...params] = part.split(";").map((p) => p.trim().toLowerCase());
    const q = params.find((p) => p.startsWith("q="));
    return name === "gzip" && (q === undefined || Number(q.slice(2)) > 0);
  });
}

/** `file`.gz when the build wrote it inside the web root and not before `file` (a rebuilt file without its twin is served as it is). */
async function gzippedTwin(root: string, file: string): Promise<string | undefined> {
  try {
    const twin = await realpath(`${file}.gz`);
    if (!twin.startsWith(root + sep)) return undefined;
    const [plain, packed] = await Promise.all([statOf(file), statOf(twin)]);
    return packed.isFile() && packed.mtimeMs >= plain.mtimeMs ? twin : undefined;
  } catch {
    return undefined;
  }
}

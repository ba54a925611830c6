/** The built web app at `/`: its files with the right types and headers, nothing outside the web root, the API untouched. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { webPathSegments } from "../src/http/routes/webApp.js";
import { startTestServer, type TestServer } from "./support/server.js";

const INDEX = "<!doctype html><title>Bote</title>";
const APP = "console.log('bote');";

/** A GET with the path and headers exactly as written: fetch would normalise `..` away and decompress. */
function rawGet(
  url: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; bytes: Buffer; type: string | undefined; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/`, { path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const bytes = Buffer.concat(chunks);
        const type = res.headers["content-type"];
        resolve({ status: res.statusCode ?? 0, body: bytes.toString(), bytes, type, headers: res.headers });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

describe("web app", () => {
  let root: string;
  let webRoot: string;
  let server: TestServer;
  let plain: TestServer;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "bote-web-"));
    webRoot = join(root, "app");
    await mkdir(join(webRoot, "icons"), { recursive: true });
    await mkdir(join(webRoot, ".git"));
    await writeFile(join(webRoot, "index.html"), INDEX);
    await writeFile(join(webRoot, "app.js"), APP);
    await writeFile(join(webRoot, "manifest.webmanifest"), "{}");
    await writeFile(join(webRoot, "icons", "icon.svg"), "<svg/>");
    await writeFile(join(webRoot, ".hidden"), "secret");
    await writeFile(join(webRoot, ".git", "config"), "secret");
    await writeFile(join(root, "package.json"), "{}");
    await writeFile(join(root, "outside.js"), "secret");
    await symlink(join(root, "outside.js"), join(webRoot, "link.js"));
    server = await startTestServer("sqlite", (config) => {
      config.webRoot = webRoot;
      config.rateLimits.publicPerMinute = 3;
    });
    plain = await startTestServer("sqlite");
  });

  after(async () => {
    await server.close();
    await plain.close();
    await rm(root, { recursive: true, force: true });
  });

  it("serves index.html at /, /join, /link and /index.html with the security headers and no-cache", async () => {
    for (const path of ["/", "/join", "/index.html", "/join?x=1", "/link"]) {
      const response = await fetch(server.url + path);
      assert.equal(response.status, 200, path);
      assert.equal(await response.text(), INDEX, path);
      assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8", path);
      assert.equal(response.headers.get("cache-control"), "no-cache", path);
      assert.match(response.headers.get("content-security-policy") ?? "", /script-src 'self'/, path);
      assert.equal(response.headers.get("x-frame-options"), "DENY", path);
    }
  });

  it("serves files and sub directories with their types; HEAD and a matching ETag send no body", async () => {
    const app = await fetch(`${server.url}/app.js`);
    assert.equal(app.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.equal(await app.text(), APP);
    const icon = await fetch(`${server.url}/icons/icon.svg`);
    assert.equal(icon.headers.get("content-type"), "image/svg+xml");
    assert.equal(await icon.text(), "<svg/>");
    const manifest = await fetch(`${server.url}/manifest.webmanifest`);
    assert.equal(manifest.headers.get("content-type"), "application/manifest+json; charset=utf-8");
    await manifest.arrayBuffer();

    const head = await fetch(`${server.url}/app.js`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), String(APP.length));
    assert.equal(await head.text(), "");
    const etag = app.headers.get("etag") ?? "";
    const again = await fetch(`${server.url}/app.js`, { headers: { "if-none-match": etag } });
    assert.equal(again.status, 304);

    // Read at request time: a rebuild shows up without a restart.
    await writeFile(join(webRoot, "app.js"), "console.log('neu');");
    assert.equal(await (await fetch(`${server.url}/app.js`)).text(), "console.log('neu');");
    await writeFile(join(webRoot, "app.js"), APP);
  });

  it("sends the build's gzipped twin to a browser that accepts gzip, never a stale one", async () => {
    const packed = gzipSync(APP);
    await writeFile(join(webRoot, "app.js.gz"), packed);
    const gzip = await rawGet(server.url, "/app.js", { "accept-encoding": "br, gzip;q=0.8" });
    assert.equal(gzip.headers["content-encoding"], "gzip");
    assert.equal(gzip.headers["content-type"], "text/javascript; charset=utf-8");
    assert.equal(gzip.headers.vary, "accept-encoding");
    assert.equal(gunzipSync(gzip.bytes).toString(), APP);
    for (const accepted of [undefined, "br", "gzip;q=0"]) {
      const plain = await rawGet(server.url, "/app.js", accepted === undefined ? {} : { "accept-encoding": accepted });
      assert.equal(plain.headers["content-encoding"], undefined, accepted);
      assert.equal(plain.body, APP, accepted);
    }
    assert.notEqual(gzip.headers.etag, (await rawGet(server.url, "/app.js")).headers.etag);
    // A rebuilt file whose twin was not rewritten goes out as it is.
    const older = new Date(Date.now() - 60_000);
    await utimes(join(webRoot, "app.js.gz"), older, older);
    assert.equal((await rawGet(server.url, "/app.js", { "accept-encoding": "gzip" })).body, APP);
    assert.equal((await rawGet(server.url, "/app.js.gz")).status, 404, "a .gz is not a file of its own");
    await rm(join(webRoot, "app.js.gz"));
  });

  it("answers 404 in the error format for traversal, dotfiles, directories, unknown types and missing files", async () => {
    for (const path of [
      "/../package.json",
      "/%2e%2e/package.json",
      "/%2e%2e/outside.js",
      "/..%2fpackage.json",
      "/icons%2ficon.svg",
      "/icons%5cicon.svg",
      "/.hidden",
      "/%2ehidden",
      "/.git/config",
      "/icons",
      "/icons/",
      "/link.js",
      "/app.js%00.html",
      "/nothing.js",
      "/README",
    ]) {
      const response = await rawGet(server.url, path);
      assert.equal(response.status, 404, path);
      assert.equal(response.type, "application/json; charset=utf-8", path);
      assert.equal((JSON.parse(response.body) as { error: { code: string } }).error.code, "not_found", path);
      assert.ok(!response.body.includes("secret"), path);
    }
  });

  it("an undecodable path is a bad request in the same format (fastify refuses it before routing)", async () => {
    const response = await rawGet(server.url, "/%E0%A4%A");
    assert.equal(response.status, 400);
    assert.equal((JSON.parse(response.body) as { error: { code: string } }).error.code, "bad_request");
  });

  it("leaves the API alone and is not rate-limited", async () => {
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(((await health.json()) as { status: string }).status, "ok");
    const me = await fetch(`${server.url}/v1/me`);
    assert.equal(me.status, 401);
    await me.arrayBuffer();
    const unknown = await fetch(`${server.url}/v1/app.js`);
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, "not_found");
    // The public limit is 3 a minute here; a visit loads more files than that.
    for (let i = 0; i < 10; i++) {
      const response = await fetch(`${server.url}/app.js`);
      assert.equal(response.status, 200);
      await response.arrayBuffer();
    }
  });

  it("without a web root, / is not found as before", async () => {
    const response = await fetch(`${plain.url}/`);
    assert.equal(response.status, 404);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, "not_found");
    assert.match(response.headers.get("content-security-policy") ?? "", /default-src 'self'/);
  });

  it("webPathSegments takes only plain relative paths", () => {
    assert.deepEqual(webPathSegments("/icons/icon%20x.svg?v=1"), ["icons", "icon x.svg"]);
    for (const bad of ["/a/../b", "/./a", "//a", "/a%2Fb", "/a\\b", "/.env", "/%2E%2E", "/a%00"]) {
      assert.equal(webPathSegments(bad), undefined, bad);
    }
  });
});

/** `bote serve` as a real process: first start, the admin invitation file, restart, SIGTERM, bad arguments. */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { access, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebSocket } from "ws";
import { certifyAccount, certifyDevice, createSigningKey } from "@bote/core";
import { encodeAccountCertificate, encodeBase64url, encodeDeviceCertificate } from "@bote/protocol";
import { createTestDatabase, postgresSkipReason } from "@bote/testing";
import { bin, bote, spawnServer, stopServer, type RunningServer } from "./support/processes.js";

const start = (args: string[], lang?: string): Promise<RunningServer> => spawnServer(["--port", "0", ...args], lang);
const stop = stopServer;
const run = (args: string[], lang: string) => bote(args, { lang });

/** The first admin's redeem, as a joining device makes it: a new organisation key certifies the account. */
async function redeem(url: string, invitation: string): Promise<number> {
  const organisation = createSigningKey();
  const accountKey = createSigningKey();
  const device = createSigningKey();
  const accountId = new Uint8Array(randomBytes(16));
  const now = new Date();
  const accountCertificate = certifyAccount(
    organisation,
    { accountId, displayName: "Erste Admin", role: "admin", accountKey: accountKey.publicKey },
    { issuedBy: accountId, now },
  );
  const token = new URL(invitation).hash.replace(/^#t=/, "");
  const res = await fetch(`${url}/v1/invitations/redeem`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      token,
      accountId: encodeBase64url(accountId),
      publicKey: encodeBase64url(device.publicKey),
      accountCertificate: encodeBase64url(encodeAccountCertificate(accountCertificate)),
      deviceCertificate: encodeBase64url(
        encodeDeviceCertificate(certifyDevice(accountId, accountKey, device.publicKey, now)),
      ),
      organisationKey: encodeBase64url(organisation.publicKey),
    }),
  });
  return res.status;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function firstStartScenario(extra: string[]): Promise<void> {
  const data = await mkdtemp(join(tmpdir(), "bote-cli-"));
  try {
    const first = await start(["--data", data, ...extra]);
    const health = await fetch(`${first.url}/healthz`);
    assert.equal(health.status, 200);
    const inviteFile = join(data, "initial-admin-invite");
    const invitation = (await readFile(inviteFile, "utf8")).trim();
    assert.match(invitation, /^http:\/\/localhost:\d+\/join#t=[A-Za-z0-9_-]{43}$/);
    assert.ok(first.stderr().includes(invitation), "the invitation is printed");
    assert.equal(await redeem(first.url, invitation), 201);
    for (let i = 0; i < 50 && (await exists(inviteFile)); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await exists(inviteFile), false, "deleted once redeemed");
    const socket = new WebSocket(`${first.url.replace("http", "ws")}/v1/ws`);
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    assert.equal(await stop(first), 0, "SIGTERM ends cleanly, also with a socket open");
    assert.equal(await closed, 1001, "the socket is told the server is going away");
    const second = await start(["--data", data, ...extra]);
    assert.equal(second.stderr().includes("/join#"), false, "no new admin invitation once an account exists");
    assert.equal(await redeem(second.url, invitation), 409, "the first invitation stays used");
    assert.equal(await stop(second), 0);
  } finally {
    await rm(data, { recursive: true, force: true });
  }
}

describe("bote serve", () => {
  it("first start with SQLite: prints and saves the admin invitation, deletes it once redeemed, restarts", async () => {
    await firstStartScenario([]);
  });

  it("first start with PostgreSQL (--database)", async (t) => {
    const skip = await postgresSkipReason();
    if (skip !== undefined) return t.skip(skip);
    const db = await createTestDatabase();
    after(() => db.drop());
    await firstStartScenario(["--database", db.url]);
  });

  it("serves the web app from --web-root at / with the security headers; warns once when it is not built", async () => {
    const data = await mkdtemp(join(tmpdir(), "bote-cli-"));
    const web = await mkdtemp(join(tmpdir(), "bote-web-"));
    try {
      await writeFile(join(web, "index.html"), "<!doctype html><title>Bote</title>");
      const server = await start(["--data", data, "--web-root", web]);
      const page = await fetch(`${server.url}/join`);
      assert.equal(page.status, 200);
      assert.equal(await page.text(), "<!doctype html><title>Bote</title>");
      assert.match(page.headers.get("content-security-policy") ?? "", /script-src 'self'/);
      assert.doesNotMatch(server.stderr(), /nicht gebaut/);
      assert.equal(await stop(server), 0);

      await rm(join(web, "index.html"));
      const unbuilt = await start(["--data", data, "--web-root", web], "en_US.UTF-8");
      assert.equal(unbuilt.stderr().match(/The web app is not built/g)?.length, 1);
      assert.equal((await fetch(`${unbuilt.url}/healthz`)).status, 200, "the API runs without it");
      assert.equal(await stop(unbuilt), 0);
    } finally {
      await rm(data, { recursive: true, force: true });
      await rm(web, { recursive: true, force: true });
    }
  });

  it("rejects bad arguments with a sentence in the user's language and exit code 2", async () => {
    const de = await run(["serve", "--port", "acht"], "de_DE.UTF-8");
    assert.equal(de.code, 2);
    assert.match(de.stderr, /Ungültiger Port „acht“/);
    const en = await run(["serve", "--port", "99999"], "en_GB.UTF-8");
    assert.equal(en.code, 2);
    assert.match(en.stderr, /Invalid port "99999"/);
    const unknown = await run(["serve", "--colour"], "de_DE.UTF-8");
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unbekannte Option/);
    const db = await run(["serve", "--database", "mysql://x"], "en_US.UTF-8");
    assert.equal(db.code, 2);
    assert.match(db.stderr, /Invalid database/);
    const retention = await run(["serve", "--retention-days", "0"], "en_US.UTF-8");
    assert.equal(retention.code, 2);
    assert.match(retention.stderr, /Invalid retention "0"/);
    const blobMax = await run(["serve", "--blob-max-mb", "viel"], "de_DE.UTF-8");
    assert.equal(blobMax.code, 2);
    assert.match(blobMax.stderr, /Ungültige Dateigröße „viel“/);
    const nats = await run(["serve", "--nats", "nats://127.0.0.1:4222"], "de_DE.UTF-8");
    assert.equal(nats.code, 2);
    assert.match(nats.stderr, /braucht dafür --database/);
    const webRoot = await run(["serve", "--web-root", "/nirgends/dist"], "de_DE.UTF-8");
    assert.equal(webRoot.code, 2);
    assert.match(webRoot.stderr, /Ungültiges Verzeichnis „\/nirgends\/dist“ für --web-root/);
    const webFile = await run(["serve", "--web-root", bin], "en_US.UTF-8");
    assert.equal(webFile.code, 2);
    assert.match(webFile.stderr, /Invalid directory ".*" for --web-root/);
    const command = await run(["fly"], "en_US.UTF-8");
    assert.equal(command.code, 2);
    assert.match(command.stderr, /Unknown command/);
  });
});

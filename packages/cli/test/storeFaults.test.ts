/**
 * Issue 14, while the server runs: PostgreSQL stopped under load, and the
 * disk under the SQLite file full. Real `bote serve` processes, real SDK
 * clients; the faults are real too (a private PostgreSQL cluster stopped
 * with `pg_ctl stop -m immediate`, a tmpfs filled up). /readyz turns 503,
 * clients get store_unavailable (close 1013, HTTP 503 with Retry-After) and
 * back off instead of reconnecting in a tight loop, and once the fault is
 * gone every message written is delivered.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { joinWithInvitation, type BoteClient, type Transport } from "@bote/client";
import { decodeContent, encodeBase64url, type ReadinessResponse } from "@bote/protocol";
import {
  mountTmpfs,
  privateClusterSkipReason,
  startPrivateCluster,
  tmpfsSkipReason,
  type PrivateCluster,
  type Tmpfs,
} from "@bote/testing";
import { nodeTransport } from "../src/client/nodeTransport.js";
import { SqliteClientStore } from "../src/profile/SqliteClientStore.js";
import { freePort, spawnServer, stopServer, type RunningServer } from "./support/processes.js";

/** What the clients' sockets did: every attempt to open one, and every close code. */
class SocketLog {
  readonly attempts: number[] = [];
  readonly closes: number[] = [];

  transport(): Transport {
    return {
      http: nodeTransport.http,
      openSocket: (url, handlers) => {
        this.attempts.push(Date.now());
        return nodeTransport.openSocket(url, {
          ...handlers,
          onClose: (code, reason) => {
            this.closes.push(code);
            handlers.onClose(code, reason);
          },
        });
      },
    };
  }

  attemptsSince(at: number): number {
    return this.attempts.filter((t) => t >= at).length;
  }
}

interface Pair {
  anna: BoteClient;
  bernd: BoteClient;
  chat: string;
  sockets: SocketLog;
}

/** Anna (the first admin) and Bernd in a direct chat, Bernd listening; their profiles outside the faulty disk. */
async function joinPair(profiles: string, invitation: string): Promise<Pair> {
  const sockets = new SocketLog();
  const join_ = (name: string, link: string) =>
    joinWithInvitation({
      store: SqliteClientStore.open(join(profiles, `${name}.db`)),
      transport: sockets.transport(),
      invitationLink: link,
      displayName: name,
      // A tenth of each ceiling: quick in a test, and still a loop the counts below would show.
      random: () => 0.1,
    });
  const anna = await join_("Anna", invitation);
  const bernd = await join_("Bernd", (await anna.createInvitation("member", "Bernd")).url);
  const chat = (await anna.directChat(bernd.profile.accountId)).conversationId;
  await bernd.connect();
  await anna.connect();
  return { anna, bernd, chat, sockets };
}

/** Waits until Bernd's chat holds every one of `expected`; fails naming the missing ones after `timeoutMs`. */
async function received(
  bernd: BoteClient,
  chat: string,
  expected: readonly string[],
  timeoutMs = 20_000,
): Promise<void> {
  let missing: string[] = [...expected];
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const got = new Set(
      (await bernd.listMessages(chat))
        .filter((m) => m.direction === "in" && m.kind === "content")
        .map((m) => decodeContent(m.body).body)
        .map((body) => (body.case === "text" ? body.value.text : "")),
    );
    missing = expected.filter((text) => !got.has(text));
    if (missing.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.fail(`Bernd is missing ${missing.length} of ${expected.length}: ${missing.join(", ")}`);
}

async function readyz(url: string): Promise<{ status: number; body: ReadinessResponse }> {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: (await response.json()) as ReadinessResponse };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail(`${what}: not within ${timeoutMs} ms`);
}

/** Sends a text every `everyMs` until stopped; returns the texts written. */
function keepSending(pair: Pair, prefix: string, everyMs: number): { stop(): Promise<string[]> } {
  const texts: string[] = [];
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const text = `${prefix} ${i}`;
      texts.push(text);
      // Queued when the server cannot take it: the outbox sends it later, in order.
      await pair.anna.sendText(pair.chat, text);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return texts;
    },
  };
}

/** An unauthenticated request that reads the store: answered 503 store_unavailable while it is gone. */
async function challenge(url: string): Promise<Response> {
  return fetch(`${url}/v1/login/challenge`, {
    method: "POST",
    headers: { "content-type": "application/json", "accept-language": "en" },
    body: JSON.stringify({ deviceId: encodeBase64url(randomBytes(16)) }),
  });
}

const clusterSkip = await privateClusterSkipReason();

describe("PostgreSQL stopped under load", { skip: clusterSkip ?? false, timeout: 120_000 }, () => {
  let root: string;
  let cluster: PrivateCluster | undefined;
  let server: RunningServer | undefined;
  let pair: Pair | undefined;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "bote-pgstop-"));
    cluster = await startPrivateCluster();
    const dataDir = join(root, "server");
    server = await spawnServer(["--port", String(await freePort()), "--data", dataDir, "--database", cluster.url]);
    pair = await joinPair(root, (await readFile(join(dataDir, "initial-admin-invite"), "utf8")).trim());
  });

  after(async () => {
    await pair?.anna.close().catch(() => undefined);
    await pair?.bernd.close().catch(() => undefined);
    if (server !== undefined) await stopServer(server);
    await cluster?.destroy();
    await rm(root, { recursive: true, force: true });
  });

  it("turns /readyz 503, answers store_unavailable, the clients back off, and all is delivered after", async () => {
    const { anna, bernd } = pair!;
    const url = server!.url;
    assert.equal((await readyz(url)).status, 200);
    const sending = keepSending(pair!, "Auftrag", 150);
    await new Promise((resolve) => setTimeout(resolve, 500));

    await cluster!.stop();
    const stoppedAt = Date.now();
    await until("readyz 503", async () => (await readyz(url)).status === 503);
    assert.deepEqual((await readyz(url)).body.checks.database, "failed");
    const refused = await challenge(url);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get("retry-after"), "5");
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, "store_unavailable");
    await until("a socket closed with 1013", () => Promise.resolve(pair!.sockets.closes.includes(1013)));
    // Six seconds down: under the short backoff (a tenth of 2 s) each client would try every 200 ms, 60 times.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, stoppedAt + 6_000 - Date.now())));
    const attempts = pair!.sockets.attemptsSince(stoppedAt);
    assert.ok(attempts <= 16, `${attempts} socket attempts by two clients in 6 s: a tight loop`);
    assert.ok(!pair!.sockets.closes.includes(1011), "no internal error");

    // Stopped before the database is back: a text written while the queue is being flushed can overtake it
    // and arrive undecryptable (an SDK ordering fault of its own, reported separately, not this test's subject).
    const texts = await sending.stop();
    await cluster!.start();
    await until("readyz 200", async () => (await readyz(url)).status === 200);
    await anna.connect();
    await received(bernd, pair!.chat, texts);
    assert.ok(texts.length >= 10, `${texts.length} texts sent`);
    assert.deepEqual(await anna.store.listOutbox(), []);
  });
});

const tmpfsSkip = await tmpfsSkipReason();

describe("the disk under the SQLite file full", { skip: tmpfsSkip ?? false, timeout: 120_000 }, () => {
  let root: string;
  let disk: Tmpfs | undefined;
  let server: RunningServer | undefined;
  let pair: Pair | undefined;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "bote-diskfull-"));
    disk = await mountTmpfs("16m");
    const dataDir = join(disk.dir, "data");
    await mkdir(dataDir);
    server = await spawnServer(["--port", String(await freePort()), "--data", dataDir]);
    pair = await joinPair(root, (await readFile(join(dataDir, "initial-admin-invite"), "utf8")).trim());
  });

  after(async () => {
    await pair?.anna.close().catch(() => undefined);
    await pair?.bernd.close().catch(() => undefined);
    if (server !== undefined) await stopServer(server);
    await disk?.unmount();
    await rm(root, { recursive: true, force: true });
  });

  it("turns /readyz 503 and sends into store_unavailable; once space is freed everything arrives", async () => {
    const { anna, bernd, chat } = pair!;
    const url = server!.url;
    assert.equal((await readyz(url)).status, 200);
    // After the server's WAL checkpoint: the next commit has to grow the log on a full disk.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await disk!.fill();
    await until("readyz 503", async () => (await readyz(url)).status === 503);
    const texts = ["Vor dem Freiräumen 1", "Vor dem Freiräumen 2", "Vor dem Freiräumen 3"];
    for (const text of texts) await anna.sendText(chat, text);
    await until("a socket closed with 1013", () => Promise.resolve(pair!.sockets.closes.includes(1013)));
    assert.ok(!pair!.sockets.closes.includes(1011), "no internal error");

    await disk!.unfill();
    await until("readyz 200", async () => (await readyz(url)).status === 200);
    await anna.connect();
    await received(bernd, chat, texts);
    assert.deepEqual(await anna.store.listOutbox(), []);
  });
});

/**
 * A flood of inquiries from one address (issue 12): 500 attempts to open a
 * guest at a contact point while two colleagues chat. The address gets its
 * hour's ten guests and then only `429 rate_limited` with a retry-after;
 * the team's own chat goes on, every message delivered in order. The
 * latencies are printed, not judged here: `docs/BENCHMARKS.md` is where
 * speed is measured.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { sendInquiry, type BoteClient, type GuestOptions } from "@bote/client";
import type { MessageRecord } from "@bote/core";
import { decodeContent } from "@bote/protocol";
import { nodeTransport } from "../src/client/nodeTransport.js";
import { SqliteClientStore } from "../src/profile/SqliteClientStore.js";
import { joinClient } from "./support/sdkClient.js";
import { freePort, startServer, stopServer, type RunningServer } from "./support/processes.js";

const ATTEMPTS = 500;
const PER_ADDRESS = 10;
const CHAT_MESSAGES = 40;

let root: string;
let server: RunningServer;
const clients: BoteClient[] = [];

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

function textOf(message: MessageRecord): string | undefined {
  if (message.kind !== "content") return undefined;
  const body = decodeContent(message.body).body;
  return body.case === "text" ? body.value.text : undefined;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

describe("a flood of inquiries from one address", { timeout: 240_000 }, () => {
  before(async () => {
    root = await mkdtemp(joinPath(tmpdir(), "bote-flood-"));
    server = await startServer(joinPath(root, "server"), await freePort());
  });

  after(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await stopServer(server);
    await rm(root, { recursive: true, force: true });
  });

  it("is throttled to the address's hour while two colleagues keep chatting", async () => {
    const invite = (await readFile(joinPath(root, "server", "initial-admin-invite"), "utf8")).trim();
    const anna = await joinClient(root, "Anna", invite);
    const bernd = await joinClient(root, "Bernd", (await anna.createInvitation("member", "Bernd")).url);
    clients.push(anna, bernd);
    const point = await anna.createContactPoint({
      name: "Dachdecker Schmidt",
      slug: "dach",
      staff: [bernd.profile.accountId],
    });
    await Promise.all([anna.connect(), bernd.connect()]);
    const chat = await anna.directChat(bernd.profile.accountId);

    // Bernd hears each of Anna's messages as it arrives; the chat runs while the flood does.
    const arrived = new Map<string, number>();
    bernd.on("message", (m) => {
      const text = textOf(m);
      if (text !== undefined && text.startsWith("Chat ")) arrived.set(text, performance.now());
    });
    const latencies: number[] = [];
    let flooding = true;
    const chatting = (async () => {
      for (let i = 0; i < CHAT_MESSAGES; i++) {
        const text = `Chat ${i}: Gerüst steht, Material kommt um ${7 + (i % 10)} Uhr`;
        const started = performance.now();
        await anna.sendText(chat.conversationId, text);
        while (!arrived.has(text)) await new Promise((resolve) => setTimeout(resolve, 2));
        latencies.push(arrived.get(text)! - started);
        if (!flooding) break;
      }
    })();

    // The first ten are real customers, end to end; every later attempt is refused before its certificate is read.
    const guestOptions = (n: number): GuestOptions => ({
      transport: nodeTransport,
      openStore: (name) => Promise.resolve(SqliteClientStore.open(joinPath(root, `guest-${n}-${name}.db`))),
      removeStore: (name) => SqliteClientStore.remove(joinPath(root, `guest-${n}-${name}.db`)),
    });
    for (let n = 0; n < PER_ADDRESS; n++) {
      const sent = await sendInquiry(point.url, { text: `Anfrage ${n}`, consent: true }, guestOptions(n));
      await sent.client.close();
    }
    const statuses = new Map<string, number>();
    let withRetryAfter = 0;
    const attempt = async () => {
      const response = await fetch(`${server.url}/v1/contact-points/dach/guests`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          accountId: b64(randomBytes(16)),
          publicKey: b64(randomBytes(32)),
          accountCertificate: b64(randomBytes(200)),
          deviceCertificate: b64(randomBytes(150)),
        }),
      });
      const answer = (await response.json()) as { error?: { code?: string } };
      const key = `${response.status} ${answer.error?.code ?? "ok"}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      if (response.headers.get("retry-after") !== null) withRetryAfter++;
    };
    const rest = ATTEMPTS - PER_ADDRESS;
    for (let at = 0; at < rest; at += 50) await Promise.all(Array.from({ length: Math.min(50, rest - at) }, attempt));
    flooding = false;
    await chatting;

    assert.deepEqual([...statuses], [["429 rate_limited", rest]], "every attempt beyond the hour is refused");
    assert.equal(withRetryAfter, rest, "each refusal says when to come back");
    assert.equal(latencies.length >= 1, true);
    const inbox = await (async () => {
      for (let i = 0; i < 100; i++) {
        await bernd.sync();
        const list = await bernd.inbox();
        if (list.filter((q) => q.text !== "").length === PER_ADDRESS) return list;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return bernd.inbox();
    })();
    assert.equal(inbox.filter((q) => q.text !== "").length, PER_ADDRESS, "the ten real inquiries all arrived");
    const texts = (await bernd.listMessages(chat.conversationId)).flatMap((m) => textOf(m) ?? []);
    assert.deepEqual(
      texts,
      texts.slice().sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0])),
      "the chat arrived in order",
    );
    const sorted = latencies.slice().sort((a, b) => a - b);
    console.log(
      `chat during the flood: ${sorted.length} messages, p50 ${percentile(sorted, 0.5).toFixed(1)} ms, ` +
        `p95 ${percentile(sorted, 0.95).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`,
    );
  });
});

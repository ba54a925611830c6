/**
 * Three `bote serve` processes on one PostgreSQL database, waking each other
 * through NATS, with SDK clients (BoteClient, real MLS) on different nodes:
 * 1:1 and group messages cross nodes both ways, and a client behind a load
 * balancer carries on through another node when its own node stops. The
 * SDK takes one server URL; a deployment with several nodes puts a load
 * balancer (or DNS with several addresses) in front of them, and the SDK's
 * reconnect finds whichever node answers.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import type { BoteClient } from "@bote/client";
import type { MessageRecord } from "@bote/core";
import { decodeContent } from "@bote/protocol";
import { createTestDatabase, natsSkipReason, natsUrl, postgresSkipReason, type TestDatabase } from "@bote/testing";
import { joinClient } from "./support/sdkClient.js";
import { startBalancer, type Balancer } from "./support/balancer.js";
import { freePort, spawnServer, stopServer, type RunningServer } from "./support/processes.js";

const skip = (await postgresSkipReason()) ?? (await natsSkipReason()) ?? false;

function text(message: MessageRecord): string {
  if (message.kind !== "content") return "";
  const content = decodeContent(message.body);
  return content.body.case === "text" ? content.body.value.text : "";
}

function arrival(client: BoteClient, wanted: string): Promise<MessageRecord> {
  return new Promise((resolve) => {
    const off = client.on("message", (m) => {
      if (m.direction === "in" && text(m) === wanted) {
        off();
        resolve(m);
      }
    });
  });
}

async function eventually(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The same invitation, opened at another node's (or the balancer's) address: the organisation is one. */
function via(link: string, url: string): string {
  const moved = new URL(link);
  const target = new URL(url);
  moved.protocol = target.protocol;
  moved.host = target.host;
  return moved.toString();
}

describe("three nodes on PostgreSQL and NATS, with SDK clients", { skip, timeout: 180_000 }, () => {
  let root: string;
  let database: TestDatabase;
  let balancer: Balancer;
  const nodes: RunningServer[] = [];
  const clients: BoteClient[] = [];
  let anna: BoteClient;
  let bernd: BoteClient;
  let carla: BoteClient;
  let dora: BoteClient;

  before(async () => {
    root = await mkdtemp(joinPath(tmpdir(), "bote-nodes-"));
    database = await createTestDatabase();
    await mkdir(joinPath(root, "shared"));
    // A fresh subject prefix, so that parallel runs on one NATS server stay apart.
    const prefix = `bote-nodes-${randomBytes(6).toString("hex")}`;
    const start = async (name: string) => {
      const port = await freePort();
      const args = [
        ...["--data", joinPath(root, name), "--port", String(port), "--public-url", `http://127.0.0.1:${port}`],
        ...["--database", database.url, "--nats", natsUrl, "--nats-prefix", prefix],
        ...["--secrets", joinPath(root, "shared", "server-secrets.json")],
      ];
      const node = await spawnServer(args);
      nodes.push(node);
      return { node, port };
    };
    // The first node makes the organisation; the others start once it exists (docs/OPERATIONS.md).
    await start("one");
    const adminLink = (await readFile(joinPath(root, "one", "initial-admin-invite"), "utf8")).trim();
    anna = await joinClient(root, "anna", adminLink);
    clients.push(anna);
    const two = await start("two");
    const three = await start("three");
    balancer = await startBalancer([three.port, two.port]);
    bernd = await joinClient(root, "bernd", via((await anna.createInvitation("member", "Bernd")).url, two.node.url));
    carla = await joinClient(root, "carla", via((await anna.createInvitation("member", "Carla")).url, three.node.url));
    dora = await joinClient(root, "dora", via((await anna.createInvitation("member", "Dora")).url, balancer.url));
    clients.push(bernd, carla, dora);
    for (const c of clients) await c.connect();
  });

  after(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await balancer?.close();
    for (const n of nodes) await stopServer(n);
    await database?.drop();
    await rm(root, { recursive: true, force: true });
  });

  it("carries 1:1 messages between clients on different nodes, both ways", async () => {
    assert.notEqual(anna.profile.serverUrl, bernd.profile.serverUrl);
    const chat = await anna.directChat(bernd.profile.accountId);
    const toBernd = arrival(bernd, "Hallo von Knoten eins");
    await anna.sendText(chat.conversationId, "Hallo von Knoten eins");
    await toBernd;
    const toAnna = arrival(anna, "Antwort von Knoten zwei");
    await bernd.sendText(chat.conversationId, "Antwort von Knoten zwei");
    await toAnna;
  });

  it("carries group messages to members on three nodes", async () => {
    const group = await anna.createGroup("Baustelle", [bernd.profile.accountId, carla.profile.accountId]);
    for (const member of [bernd, carla]) {
      await eventually(
        "the members are in the group",
        async () => (await member.store.getConversation(group.conversationId)) !== undefined,
      );
    }
    const fromOne = [arrival(bernd, "Material kommt"), arrival(carla, "Material kommt")];
    await anna.sendText(group.conversationId, "Material kommt");
    await Promise.all(fromOne);
    const fromThree = [arrival(anna, "Bin auf Knoten drei"), arrival(bernd, "Bin auf Knoten drei")];
    await carla.sendText(group.conversationId, "Bin auf Knoten drei");
    await Promise.all(fromThree);
  });

  it("a client behind the balancer carries on through another node when its node stops", async () => {
    const chat = await anna.directChat(dora.profile.accountId);
    const before = arrival(dora, "Vor der Wartung");
    await anna.sendText(chat.conversationId, "Vor der Wartung");
    await before;
    // Dora's node (the balancer's first choice) stops as for maintenance; her socket closes with it.
    await stopServer(nodes[2]!);
    const after = arrival(dora, "Während der Wartung");
    await anna.sendText(chat.conversationId, "Während der Wartung");
    await after;
    const back = arrival(anna, "Über Knoten zwei");
    const sent = await dora.sendText(chat.conversationId, "Über Knoten zwei");
    assert.ok(sent !== undefined);
    await back;
  });
});

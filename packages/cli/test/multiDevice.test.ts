/**
 * Several devices per person, over a real `bote serve` process: Anna links
 * her phone to her PC with a comparison code, the phone joins her chats,
 * messages reach both devices, a message from the phone shows on the PC as
 * her own, and her colleague sees a calm notice, not a key-change warning.
 * A revoked phone is removed from the chats while the PC stays.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { BoteClient, ClientError, linkThisDevice } from "@bote/client";
import type { MessageRecord } from "@bote/core";
import { decodeContent, encodeBase64url } from "@bote/protocol";
import { nodeTransport } from "../src/client/nodeTransport.js";
import { SqliteClientStore } from "../src/profile/SqliteClientStore.js";
import { joinClient } from "./support/sdkClient.js";
import { freePort, startServer, stopServer, type RunningServer } from "./support/processes.js";

let root: string;
let dataDir: string;
let server: RunningServer;
const clients: BoteClient[] = [];

function text(message: MessageRecord): string {
  if (message.kind !== "content") return "";
  const content = decodeContent(message.body);
  return content.body.case === "text" ? content.body.value.text : "";
}

function arrival(client: BoteClient, wanted: string): Promise<MessageRecord> {
  return new Promise((resolve) => {
    const off = client.on("message", (m) => {
      if (text(m) === wanted) {
        off();
        resolve(m);
      }
    });
  });
}

async function eventually(what: string, check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("several devices per person", { timeout: 180_000 }, () => {
  let anna: BoteClient;
  let bernd: BoteClient;
  let phone: BoteClient;
  let groupId: string;

  before(async () => {
    root = await mkdtemp(joinPath(tmpdir(), "bote-devices-"));
    dataDir = joinPath(root, "server");
    server = await startServer(dataDir, await freePort());
    anna = await joinClient(root, "anna", (await readFile(joinPath(dataDir, "initial-admin-invite"), "utf8")).trim());
    clients.push(anna);
    bernd = await joinClient(root, "bernd", (await anna.createInvitation("member", "Bernd Bau")).url);
    clients.push(bernd);
    groupId = (await anna.createGroup("Baustelle", [bernd.profile.accountId])).conversationId;
    await eventually("Bernd is in the group", async () => (await bernd.store.getConversation(groupId)) !== undefined);
  });

  after(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await stopServer(server);
    await rm(root, { recursive: true, force: true });
  });

  it("links a phone with the same comparison code on both screens; it joins every chat", async () => {
    const offer = await anna.startDeviceLink();
    assert.match(offer.code, /^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
    assert.ok(offer.url.endsWith(`/link#c=${offer.code}`));
    let phoneCode: string | undefined;
    const linking = linkThisDevice({
      store: SqliteClientStore.open(joinPath(root, "phone.db")),
      transport: nodeTransport,
      link: offer.url,
      onComparisonCode: (code) => (phoneCode = code),
      random: () => 0.1,
    });
    const { comparisonCode } = await offer.waitForDevice();
    await eventually("the phone shows its code", () => phoneCode !== undefined);
    assert.equal(phoneCode, comparisonCode, "the person sees the same code on both screens");
    const berndContacts: { newDevice: boolean; keyChanged: boolean }[] = [];
    bernd.on("contact", (c) => berndContacts.push({ newDevice: c.newDevice, keyChanged: c.keyChanged }));
    const confirmed = offer.confirm();
    phone = await linking;
    clients.push(phone);
    const { deviceId } = await confirmed;
    assert.equal(phone.profile.deviceId, deviceId);
    assert.equal(phone.profile.accountId, anna.profile.accountId);
    assert.equal(phone.device.credential.displayName, anna.device.credential.displayName);
    assert.notDeepEqual(phone.device.credential.devicePublicKey, anna.device.credential.devicePublicKey);
    // The contacts came along.
    assert.ok((await phone.store.getContact(bernd.profile.accountId)) !== undefined);
    await eventually(
      "the phone is in the group",
      async () => (await phone.store.getConversation(groupId)) !== undefined,
    );
    // Bernd sees a calm notice in the chat, and no key-change warning for Anna.
    await bernd.sync();
    const events = (await bernd.listMessages(groupId)).filter((m) => m.kind === "event");
    const last = JSON.parse(new TextDecoder().decode(events.at(-1)!.body)) as { type: string };
    assert.equal(last.type, "device_added");
    assert.ok(berndContacts.every((c) => !c.keyChanged));
  });

  it("a message reaches both of Anna's devices; one from the phone shows on the PC as her own", async () => {
    await phone.connect();
    await anna.connect();
    const onPc = arrival(anna, "Material ist da");
    const onPhone = arrival(phone, "Material ist da");
    await bernd.sendText(groupId, "Material ist da");
    await Promise.all([onPc, onPhone]);
    const unreadBefore = (await anna.store.getConversation(groupId))?.unread;
    const mirrored = arrival(anna, "Danke, komme gleich");
    const toBernd = arrival(bernd, "Danke, komme gleich");
    await phone.sendText(groupId, "Danke, komme gleich");
    const own = await mirrored;
    assert.equal(own.direction, "out", "the PC shows the phone's message as Anna's own");
    assert.equal(own.senderAccountId, anna.profile.accountId);
    assert.equal((await anna.store.getConversation(groupId))?.unread, unreadBefore, "one's own message is not unread");
    const seen = await toBernd;
    assert.equal(seen.senderAccountId, anna.profile.accountId);
    // A new direct chat with Anna reaches both of her devices too.
    const direct = await bernd.directChat(anna.profile.accountId);
    const keys = (await bernd.members(direct.conversationId)).map((m) => encodeBase64url(m.credential.devicePublicKey));
    assert.equal(keys.length, 3);
  });

  it("a revoked phone is removed from the chats, and the PC stays", async () => {
    const phoneKey = encodeBase64url(phone.device.credential.devicePublicKey);
    await anna.revokeDevice(anna.profile.accountId, phoneKey);
    await anna.idle();
    await assert.rejects(
      (async () => {
        await phone.close();
        const again = await BoteClient.open({
          store: SqliteClientStore.open(joinPath(root, "phone.db")),
          transport: nodeTransport,
        });
        clients.push(again);
        await again.connect();
      })(),
      (e: unknown) => e instanceof ClientError && e.code === "device_revoked",
    );
    await bernd.syncOrganisation();
    await bernd.idle();
    await eventually("the phone is out of the group on Bernd's device", async () =>
      (await bernd.members(groupId)).every((m) => encodeBase64url(m.credential.devicePublicKey) !== phoneKey),
    );
    const onPc = arrival(anna, "Nur noch der PC");
    await bernd.sendText(groupId, "Nur noch der PC");
    await onPc;
  });
});

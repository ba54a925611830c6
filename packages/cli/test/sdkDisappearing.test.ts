/**
 * Disappearing messages over a real `bote serve` process: Anna (PC and a
 * linked phone) and Bernd share a group. A timer set on one device reaches
 * every device; a text, a photo and a reaction sent under it are deleted on
 * all three devices once it runs out, and a device that was closed meanwhile deletes them when it starts. A
 * message deleted for everyone keeps no body, not even in the SQLite file.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { mkdir, mkdtemp, readFile, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { BoteClient, ClientError, expiresAt, linkThisDevice, MAX_CLOCK_LEAD_MS } from "@bote/client";
import type { MessageRecord } from "@bote/core";
import { cameraJpeg } from "@bote/testing";
import { decodeContent } from "@bote/protocol";
import { nodeTransport } from "../src/client/nodeTransport.js";
import { SqliteClientStore } from "../src/profile/SqliteClientStore.js";
import { joinClient } from "./support/sdkClient.js";
import { bote, boteOk, freePort, startServer, stopServer, type RunningServer } from "./support/processes.js";

const TIMER_S = 2;

let root: string;
let server: RunningServer;
const clients: BoteClient[] = [];

function textOf(message: MessageRecord): string | undefined {
  if (message.kind !== "content" || message.deleted) return undefined;
  const body = decodeContent(message.body).body;
  return body.case === "text" ? body.value.text : body.case === "attachment" ? body.value.caption : undefined;
}

function arrival(client: BoteClient, wanted: string): Promise<MessageRecord> {
  return new Promise((resolve) => {
    const off = client.on("message", (m) => {
      if (textOf(m) === wanted) {
        off();
        resolve(m);
      }
    });
  });
}

/** Resolves when `client` reports `messageId` expired. */
function expiry(client: BoteClient, messageId: string): Promise<number> {
  return new Promise((resolve) => {
    const off = client.on("messagesExpired", (e) => {
      if (e.messageIds.includes(messageId)) {
        off();
        resolve(Date.now());
      }
    });
  });
}

async function eventually(what: string, check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it("expiry runs from when this device stored a message, never before the sender's time (trusted 5 min ahead)", () => {
  const storedAt = 1_000_000;
  assert.equal(expiresAt({ storedAt, sentAt: storedAt - 60_000 }, 10), storedAt + 10_000, "sender behind");
  assert.equal(expiresAt({ storedAt, sentAt: storedAt + 30_000 }, 10), storedAt + 40_000, "sender a little ahead");
  assert.equal(
    expiresAt({ storedAt, sentAt: storedAt + 86_400_000 }, 10),
    storedAt + MAX_CLOCK_LEAD_MS + 10_000,
    "a clock a day ahead delays by at most 5 minutes",
  );
});

describe("disappearing messages", { timeout: 120_000 }, () => {
  let anna: BoteClient;
  let bernd: BoteClient;
  let phone: BoteClient;
  let groupId: string;

  before(async () => {
    root = await mkdtemp(joinPath(tmpdir(), "bote-disappearing-"));
    const dataDir = joinPath(root, "server");
    server = await startServer(dataDir, await freePort());
    anna = await joinClient(root, "anna", (await readFile(joinPath(dataDir, "initial-admin-invite"), "utf8")).trim());
    clients.push(anna);
    bernd = await joinClient(root, "bernd", (await anna.createInvitation("member", "Bernd Bau")).url);
    clients.push(bernd);
    groupId = (await anna.createGroup("Baustelle", [bernd.profile.accountId])).conversationId;
    const offer = await anna.startDeviceLink();
    const linking = linkThisDevice({
      store: SqliteClientStore.open(joinPath(root, "phone.db")),
      transport: nodeTransport,
      link: offer.url,
      onComparisonCode: () => undefined,
      random: () => 0.1,
    });
    await offer.waitForDevice();
    await offer.confirm();
    phone = await linking;
    clients.push(phone);
    await Promise.all([anna.connect(), bernd.connect(), phone.connect()]);
    await eventually("both of Anna's devices and Bernd are in the group", async () => {
      const onPhone = await phone.store.getConversation(groupId);
      return onPhone !== undefined && (await bernd.members(groupId)).length === 3;
    });
  });

  after(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await stopServer(server);
    await rm(root, { recursive: true, force: true });
  });

  it("refuses a timer out of bounds with a coded error, changing nothing", async () => {
    for (const bad of [-1, 1.5, 31_536_001]) {
      await assert.rejects(anna.setDisappearingTimer(groupId, bad), (e: unknown) => {
        return e instanceof ClientError && e.code === "disappearing_timer_invalid";
      });
    }
    assert.equal((await anna.store.getConversation(groupId))?.disappearingSeconds, undefined, "nothing changed");
  });

  it("a timer set on one device reaches every device, and what is sent under it disappears everywhere", async () => {
    const timerSeen = [bernd, phone].map(
      (c) =>
        new Promise<void>((resolve) => {
          const off = c.on("conversation", (r) => {
            if (r.conversationId === groupId && r.disappearingSeconds === TIMER_S) {
              off();
              resolve();
            }
          });
        }),
    );
    await anna.setDisappearingTimer(groupId, TIMER_S);
    assert.equal((await anna.store.getConversation(groupId))?.disappearingSeconds, TIMER_S);
    await Promise.all(timerSeen);

    // A text from Bernd, a photo from Anna's PC, and Bernd's reaction to the photo.
    const textArrivals = [anna, phone].map((c) => arrival(c, "Code fürs Tor: 4711"));
    const sentText = await bernd.sendText(groupId, "Code fürs Tor: 4711");
    assert.ok(sentText !== undefined);
    const photoBytes = cameraJpeg(64, 48);
    const photoArrivals = [bernd, phone].map((c) => arrival(c, "Schlüssel unterm Stein"));
    const photo = await anna.sendFile(groupId, {
      stream: Readable.from([photoBytes]),
      size: photoBytes.length,
      fileName: "tor.jpg",
      mediaType: "image/jpeg",
      caption: "Schlüssel unterm Stein",
      thumbnail: photoBytes,
    });
    assert.ok(photo !== undefined);
    const [textOnPc, textOnPhone] = await Promise.all(textArrivals);
    await Promise.all(photoArrivals);
    for (const m of [sentText, textOnPc!, textOnPhone!, photo]) {
      assert.equal(decodeContent(m.body).expireAfterS, TIMER_S, "each line carries the timer it was sent under");
    }
    await bernd.react(groupId, photo.messageId, "👍");
    const devices = [anna, bernd, phone];
    let reactionId: string = "";
    await eventually("the reaction reached the PC", async () => {
      const list = await anna.listMessages(groupId);
      const found = list.find((m) => m.kind === "content" && decodeContent(m.body).body.case === "reaction");
      reactionId = found?.messageId ?? "";
      return found !== undefined;
    });

    // Every device deletes both lines (and the PC the reaction), by itself, when their time is up.
    const expiries = devices.flatMap((c) => [expiry(c, sentText.messageId), expiry(c, photo.messageId)]);
    const times = await Promise.all(expiries);
    const stored = [sentText, textOnPc!, textOnPhone!].map((m) => expiresAt(m, TIMER_S));
    for (const at of times) assert.ok(at >= Math.min(...stored) - 5, "nothing is deleted before its time");
    assert.ok(Math.max(...times) - Math.max(...stored) < 3_000, "and each device deletes within moments of its time");
    for (const c of devices) {
      const left = await c.listMessages(groupId);
      const kept: (MessageRecord | undefined)[] = await Promise.all(
        [sentText.messageId, photo.messageId, reactionId].map((id) => c.store.getMessage(id)),
      );
      assert.deepEqual(kept, [undefined, undefined, undefined], `${c.device.credential.displayName}: all gone`);
      assert.ok(!left.some((m) => textOf(m) === "Code fürs Tor: 4711" || textOf(m) === "Schlüssel unterm Stein"));
      assert.deepEqual(await c.store.listUploads(), []);
      assert.deepEqual(await c.search("4711"), [], "search finds nothing of it");
      // The line saying the timer changed stays, for everyone to see.
      assert.ok(left.some((m) => m.kind === "content" && decodeContent(m.body).body.case === "disappearingTimer"));
    }
  });

  it("a device that missed the timer change still deletes what was sent under it", async () => {
    // Bernd's device as if the change never reached it (a lost envelope): its chat has no timer.
    const record = await bernd.store.getConversation(groupId);
    await bernd.store.apply({ conversations: [{ ...record!, disappearingSeconds: 0 }] });
    const arrived = arrival(bernd, "Nur kurz sichtbar");
    const sent = await anna.sendText(groupId, "Nur kurz sichtbar");
    const received = await arrived;
    const gone = expiry(bernd, sent!.messageId);
    assert.equal(decodeContent(received.body).expireAfterS, TIMER_S);
    assert.ok((await gone) >= expiresAt(received, TIMER_S) - 5);
    assert.equal(await bernd.store.getMessage(sent!.messageId), undefined);
    await bernd.store.apply({
      conversations: [{ ...(await bernd.store.getConversation(groupId))!, disappearingSeconds: TIMER_S }],
    });
  });

  it("a device closed meanwhile deletes on start", async () => {
    const arrived = arrival(phone, "Bis morgen");
    const sent = await bernd.sendText(groupId, "Bis morgen");
    await arrived;
    await phone.close();
    clients.splice(clients.indexOf(phone), 1);
    await new Promise((r) => setTimeout(r, TIMER_S * 1000 + 200));
    const reopened = await BoteClient.open({
      store: SqliteClientStore.open(joinPath(root, "phone.db")),
      transport: nodeTransport,
      random: () => 0.1,
    });
    clients.push(reopened);
    await eventually(
      "the reopened phone swept",
      async () => (await reopened.store.getMessage(sent!.messageId)) === undefined,
    );
    assert.ok(!(await reopened.listMessages(groupId)).some((m) => textOf(m) === "Bis morgen"));
  });

  it("two members changing the timer at once end with the same one, the later by the sender's clock", async () => {
    const [byAnna, byBernd] = await Promise.all([
      anna.setDisappearingTimer(groupId, 600),
      bernd.setDisappearingTimer(groupId, 1_200),
    ]);
    const later = [byAnna!, byBernd!].sort((a, b) => a.sentAt - b.sentAt || (a.messageId < b.messageId ? -1 : 1))[1]!;
    const winner = decodeContent(later.body).body;
    assert.equal(winner.case, "disappearingTimer");
    const expected = winner.case === "disappearingTimer" ? winner.value.seconds : -1;
    await eventually("both devices agree", async () => {
      const timers = await Promise.all(
        [anna, bernd].map(async (c) => (await c.store.getConversation(groupId))?.disappearingSeconds),
      );
      return timers.every((t) => t === expected);
    });
  });

  it("turning the timer off stops it for what is sent afterwards", async () => {
    await anna.setDisappearingTimer(groupId, 0);
    await eventually(
      "Bernd sees it off",
      async () => (await bernd.store.getConversation(groupId))?.disappearingSeconds === 0,
    );
    const kept = await bernd.sendText(groupId, "Bleibt stehen");
    assert.equal(decodeContent(kept!.body).expireAfterS, undefined);
    assert.deepEqual(await bernd.sweepExpired(Date.now() + 86_400_000), [], "nothing with a timer is left");
    assert.ok((await bernd.store.getMessage(kept!.messageId)) !== undefined);
  });

  it("'Für alle löschen' keeps no body on either side, not even in the SQLite file", async () => {
    const secret = "Kontonummer DE02 1203 0000 0000 2020 51";
    const arrived = arrival(bernd, secret);
    const sent = await anna.sendText(groupId, secret);
    await arrived;
    const deletedAtBernd = new Promise<void>((resolve) => {
      const off = bernd.on("message", (m) => {
        if (m.messageId === sent!.messageId && m.deleted) {
          off();
          resolve();
        }
      });
    });
    await anna.deleteMessage(sent!.messageId);
    await deletedAtBernd;
    for (const c of [anna, bernd]) {
      const record = await c.store.getMessage(sent!.messageId);
      assert.equal(record?.deleted, true);
      assert.equal(record?.body.length, 0, "the body is gone, not hidden");
    }
    await assert.rejects(anna.deleteMessage(sent!.messageId), (e: unknown) => {
      return e instanceof ClientError && e.code === "message_deleted";
    });
    // Closed, the SQLite files (WAL checkpointed, freed cells overwritten) hold no byte of it.
    for (const [c, name] of [
      [anna, "anna"],
      [bernd, "bernd"],
    ] as const) {
      await c.close();
      clients.splice(clients.indexOf(c), 1);
      const file = await readFile(joinPath(root, `${name}.db`));
      assert.equal(file.indexOf(Buffer.from("DE02 1203")), -1, `${name}.db holds no trace of the text`);
    }
  });

  it("bote disappearing sets and shows a chat's timer, in German and as JSON; a wrong time is refused", async () => {
    // Anna's PC, closed by now, as a CLI profile: a directory holding bote.db.
    await mkdir(joinPath(root, "anna"), { mode: 0o700 });
    await rename(joinPath(root, "anna.db"), joinPath(root, "anna", "bote.db"));
    const profile = ["--profile", joinPath(root, "anna")];
    const set = await boteOk(["disappearing", "--chat", "Baustelle", "--set", "1d", ...profile, "--json"]);
    assert.deepEqual(set.lines.at(-1), {
      type: "disappearing",
      conversationId: groupId,
      name: "Baustelle",
      seconds: 86_400,
    });
    const shown = await boteOk(["disappearing", "--chat", "Baustelle", ...profile]);
    assert.match(shown.stdout, /Baustelle: Nachrichten verschwinden nach 1 Tag/);
    const wrong = await bote(["disappearing", "--chat", "Baustelle", "--set", "3x", ...profile]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /--set: 3x/);
  });
});

/**
 * The organisation's policy through the SDK against a real `bote serve`:
 * an admin's change reaches a member's device with who set it and when, a
 * file over its largest attachment is refused before a byte is read (the
 * error names the limit), a member cannot set one, and a deactivated device
 * wipes its data when the policy says so.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { access, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { Readable } from "node:stream";
import { ClientError, joinWithInvitation, type BoteClient } from "@bote/client";
import { eventually, joinClient } from "./support/sdkClient.js";
import { freePort, startServer, stopServer, type RunningServer } from "./support/processes.js";
import { nodeTransport } from "../src/client/nodeTransport.js";
import { SqliteClientStore } from "../src/profile/SqliteClientStore.js";

describe("organisation policy through the SDK", { timeout: 120_000 }, () => {
  let root: string;
  let server: RunningServer;
  let anna: BoteClient;
  let bernd: BoteClient;

  before(async () => {
    root = await mkdtemp(joinPath(tmpdir(), "bote-policy-"));
    const dataDir = joinPath(root, "server");
    server = await startServer(dataDir, await freePort());
    anna = await joinClient(root, "Anna", (await readFile(joinPath(dataDir, "initial-admin-invite"), "utf8")).trim());
    bernd = await joinClient(root, "Bernd", (await anna.createInvitation("member", "Bernd")).url);
  });

  after(async () => {
    await anna?.close().catch(() => undefined);
    await bernd?.close().catch(() => undefined);
    await stopServer(server);
    await rm(root, { recursive: true, force: true });
  });

  it("without a policy the defaults apply, and nobody set them", () => {
    assert.equal(bernd.policy.maxAttachmentBytes, 100_000_000);
    assert.equal(bernd.policy.appLockRequired, false);
    assert.equal(bernd.policy.setBy, undefined);
  });

  it("an admin's policy reaches a member with who set it and when; a file over its limit is refused unread", async () => {
    await anna.setPolicy({
      maxAttachmentBytes: 100_000,
      appLockRequired: true,
      minPinLength: 8,
      disappearingSeconds: 86_400,
    });
    await bernd.syncOrganisation();
    const policy = bernd.policy;
    assert.equal(policy.maxAttachmentBytes, 100_000);
    assert.equal(policy.appLockRequired, true);
    assert.equal(policy.minPinLength, 8);
    assert.equal(policy.disappearingSeconds, 86_400);
    assert.equal(policy.setBy?.displayName, "Anna");
    assert.ok(policy.setAt !== undefined && Math.abs(policy.setAt.getTime() - Date.now()) < 60_000);

    const chat = await bernd.directChat(anna.profile.accountId);
    // A new chat starts with the policy's disappearing time, sent as a change so Anna's device has it too.
    assert.equal(chat.disappearingSeconds, 86_400);
    // The Welcome and the timer change travel through the relay: Anna waits for them.
    await bernd.idle();
    const annasChat = await eventually(
      anna,
      async () => (await anna.listConversations()).find((c) => c.conversationId === chat.conversationId),
      (c) => c?.disappearingSeconds === 86_400,
    );
    assert.equal(annasChat?.disappearingSeconds, 86_400);
    let read = false;
    function* pieces() {
      read = true;
      yield new Uint8Array(150_000);
    }
    const file = () => Readable.from(pieces());
    const refused = await bernd
      .sendFile(chat.conversationId, {
        stream: file(),
        size: 150_000,
        fileName: "plan.pdf",
        mediaType: "application/pdf",
      })
      .then(
        () => assert.fail("the file was sent"),
        (e: unknown) => e,
      );
    assert.ok(refused instanceof ClientError && refused.code === "attachment_over_policy", String(refused));
    assert.match(refused.text("de"), /Richtlinie.*100 kB/);
    assert.match(refused.text("en"), /policy.*100 kB/);
    assert.equal(read, false, "not a byte of the file was read");
  });

  it("a file queued by a device that has not yet seen a lower limit fails at the server and blocks no later file", async () => {
    await anna.setPolicy({ maxAttachmentBytes: 1_000_000 });
    await bernd.syncOrganisation();
    await anna.setPolicy({ maxAttachmentBytes: 100_000 });
    assert.equal(bernd.policy.maxAttachmentBytes, 1_000_000, "Bernd's device has not read the log since");
    const chat = await bernd.directChat(anna.profile.accountId);
    const pdf = (name: string, size: number) => ({
      stream: Readable.from([new Uint8Array(size)]),
      size,
      fileName: name,
      mediaType: "application/pdf",
      queue: true,
    });
    const refused = await bernd.sendFile(chat.conversationId, pdf("gross.pdf", 150_000));
    assert.equal((await bernd.store.getMessage(refused!.messageId))?.status, "failed");
    await bernd.sendFile(chat.conversationId, pdf("klein.pdf", 50_000));
    assert.deepEqual(await bernd.store.listUploads(), [], "the small file was uploaded, nothing waits");
    // Its message goes out once connected; the refused one stays failed.
    await bernd.sync();
    assert.equal((await bernd.store.getMessage(refused!.messageId))?.status, "failed");
  });

  it("a member cannot set a policy, and no policy switches the organisation's suite", async () => {
    await assert.rejects(
      bernd.setPolicy({ maxAttachmentBytes: 1e9 }),
      (e: unknown) => e instanceof ClientError && e.code === "not_admin",
    );
    await assert.rejects(
      anna.setPolicy({ postQuantum: !anna.policy.postQuantum }),
      (e: unknown) => e instanceof ClientError && e.code === "policy_post_quantum_fixed",
    );
    await assert.rejects(
      anna.setPolicy({ minPinLength: 2 }),
      (e: unknown) => e instanceof ClientError && e.code === "bad_request",
    );
  });

  it("a deactivated device wipes its data when the policy says so", async () => {
    await anna.setPolicy({ wipeOnDeactivation: true });
    const file = joinPath(root, "Carla.db");
    let wiped = false;
    const carla = await joinWithInvitation({
      store: SqliteClientStore.open(file),
      transport: nodeTransport,
      invitationLink: (await anna.createInvitation("member", "Carla")).url,
      random: () => 0.1,
      wipe: async () => {
        await rm(file, { force: true });
        wiped = true;
      },
    });
    await carla.connect();
    assert.equal(carla.policy.wipeOnDeactivation, true);
    const deactivated = new Promise<boolean>((resolve) => carla.on("deactivated", (e) => resolve(e.wipe)));
    await anna.deactivate(carla.profile.accountId);
    assert.equal(await deactivated, true);
    assert.equal(await carla.wiped(), true);
    assert.equal(wiped, true);
    await assert.rejects(access(file));
  });
});

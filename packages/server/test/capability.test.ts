/**
 * A wrong capability is refused before the relay touches its store, so the
 * answer and its timing cannot tell an existing mailbox from a missing one.
 * The store is the real SQLite store, with its calls counted.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { SendSchema, type Send } from "@bote/protocol";
import { LocalBus, ServerSecrets, type ServerStore } from "../src/index.js";
import type { OpenRelayBatch, SealingCommitter } from "../src/store/ServerStore.js";
import { openSqliteStore } from "../src/sqlite.js";
import { AtRestKeys } from "../src/secrets/AtRestKeys.js";
import { Relay } from "../src/relay/Relay.js";

const bytes = (n: number) => new Uint8Array(randomBytes(n));

describe("capability check", () => {
  let dir: string;
  let store: ServerStore;
  let calls = 0;
  let relay: Relay;
  const secrets = ServerSecrets.generate();
  const existingMailbox = bytes(16);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "bote-cap-"));
    store = await openSqliteStore(join(dir, "bote.sqlite"));
    const org = { id: bytes(16), name: "Org", createdAt: Date.now() };
    await store.createOrganisation(org);
    const organisationKey = bytes(32);
    await store.setOrganisationKey(org.id, organisationKey);
    const tokenHash = bytes(32);
    const accountId = bytes(16);
    await store.createInvitation({
      id: bytes(16),
      orgId: org.id,
      tokenHash,
      role: "member",
      expiresAt: Date.now() + 60_000,
      createdAt: Date.now(),
      // Opaque to the store: the route verified it.
      certified: { accountId, invitationKey: bytes(32), displayName: "Ida", certificate: bytes(150) },
    });
    const redeemed = await store.redeemInvitation({
      tokenHash,
      now: Date.now(),
      organisationKey,
      setsOrganisationKey: false,
      accountId,
      accountKey: bytes(32),
      displayName: "Ida",
      role: "member",
      accountCertificate: bytes(200),
      certificateIssuedAt: Math.floor(Date.now() / 1000),
      deviceId: bytes(16),
      publicKey: bytes(32),
      deviceCertificate: bytes(120),
      mailboxId: existingMailbox,
      statement: bytes(201),
    });
    assert.equal(redeemed.ok, true);
    const counted = new Proxy(store, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          calls++;
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          // The writer thread's committer (it seals there) is the store too.
          if (key !== "sealingCommitter" || result === undefined) return result;
          const committer = result as SealingCommitter;
          return {
            commit: (batch: OpenRelayBatch) => {
              calls++;
              return committer.commit(batch);
            },
          };
        };
      },
    });
    relay = new Relay(counted, secrets, new AtRestKeys(secrets), new LocalBus(), {
      envelopeTtlMs: 3_600_000,
      maxBatchRows: 2048,
      now: Date.now,
    });
    calls = 0;
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  function sendTo(mailboxId: Uint8Array, capability: Uint8Array): Send {
    return create(SendSchema, {
      requestId: 1,
      messageId: bytes(16),
      recipients: [{ mailboxId, capability }],
      payload: bytes(50),
    });
  }

  it("refuses forged capabilities for existing and missing mailboxes alike, without touching the store", async () => {
    const missingMailbox = bytes(16);
    const forgedExisting = await relay.send(sendTo(existingMailbox, bytes(33)));
    const forgedMissing = await relay.send(sendTo(missingMailbox, bytes(33)));
    const otherMailboxCapability = await relay.send(sendTo(existingMailbox, secrets.issueCapability(missingMailbox)));
    assert.deepEqual(forgedExisting, forgedMissing);
    assert.deepEqual(forgedExisting, otherMailboxCapability);
    assert.equal(forgedExisting.errorCode, "capability_invalid");
    assert.equal(calls, 0, "no store call before the capability check");
    // The right capability does reach the store.
    const ok = await relay.send(sendTo(existingMailbox, secrets.issueCapability(existingMailbox)));
    assert.equal(ok.errorCode, undefined);
    assert.ok(calls > 0);
  });

  it("takes the same time for existing and missing mailboxes", async () => {
    const missingMailbox = bytes(16);
    const time = async (mailboxId: Uint8Array) => {
      const start = process.hrtime.bigint();
      await relay.send(sendTo(mailboxId, bytes(33)));
      return Number(process.hrtime.bigint() - start);
    };
    const existing: number[] = [];
    const missing: number[] = [];
    for (let i = 0; i < 3000; i++) {
      existing.push(await time(existingMailbox));
      missing.push(await time(missingMailbox));
    }
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
    const ratio = median(existing) / median(missing);
    assert.ok(ratio > 0.8 && ratio < 1.25, `existing/missing median ratio ${ratio.toFixed(3)}`);
  });
});

describe("remembered capabilities", () => {
  const secrets = ServerSecrets.generate();

  it("hold for their own mailbox only, and a changed byte is checked anew", () => {
    const mailbox = bytes(16);
    const other = bytes(16);
    const capability = secrets.issueCapability(mailbox);
    assert.ok(secrets.checkCapability(mailbox, capability));
    // Now remembered: neither another mailbox nor a changed capability may ride on it.
    assert.ok(secrets.checkCapability(mailbox, capability));
    assert.equal(secrets.checkCapability(other, capability), false);
    for (const at of [0, 1, 32]) {
      const changed = capability.slice();
      changed[at]! ^= 1;
      assert.equal(secrets.checkCapability(mailbox, changed), false, `byte ${at} changed`);
    }
    assert.equal(secrets.checkCapability(mailbox, capability.subarray(0, 32)), false);
  });
});

/**
 * The one contract every ClientStore backend passes (memory, SQLite,
 * IndexedDB). A backend's test file calls describeClientStoreContract with a
 * way to open a fresh, empty store; each test opens its own, so no test sees
 * another's records. With `reopen`, the durability tests close the store and
 * read everything back from a second instance on the same storage.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type {
  ClientStore,
  ContactRecord,
  ConversationRecord,
  KeyPackageRecord,
  MessageRecord,
  OutboxRecord,
  ProfileRecord,
  StoreChanges,
  UploadRecord,
} from "@bote/core";

export interface ClientStoreFixture {
  readonly store: ClientStore;
  /** Closes nothing; opens the same storage again (after the test closed `store`). */
  readonly reopen?: () => Promise<ClientStore>;
  readonly cleanup: () => Promise<void>;
}

export function describeClientStoreContract(name: string, open: () => Promise<ClientStoreFixture>): void {
  const withStore = async (test: (fixture: ClientStoreFixture) => Promise<void>): Promise<void> => {
    const fixture = await open();
    try {
      await test(fixture);
    } finally {
      await fixture.cleanup();
    }
  };

  describe(`ClientStore contract: ${name}`, () => {
    it("answers empty when nothing was stored", () =>
      withStore(async ({ store }) => {
        assert.equal(await store.getProfile(), undefined);
        assert.equal(await store.getConversation("c1"), undefined);
        assert.deepEqual(await store.listConversations(), []);
        assert.deepEqual(await store.listMessages("c1"), []);
        assert.equal(await store.getMessage("m1"), undefined);
        assert.deepEqual(await store.listOutbox(), []);
        assert.deepEqual(await store.listUploads(), []);
        assert.equal(await store.getContact("a1"), undefined);
        assert.deepEqual(await store.listContacts(), []);
        assert.equal(await store.getKeyPackage("k1"), undefined);
        assert.deepEqual(await store.countKeyPackages(), { oneTime: 0, lastResort: 0 });
        assert.equal(await store.hasSeen("s1"), false);
        await store.apply({});
        assert.equal(await store.getProfile(), undefined);
      }));

    it("stores the profile with every field, and replaces it", () =>
      withStore(async ({ store }) => {
        const admin = profile();
        await store.apply({ profile: admin });
        assert.deepEqual(await store.getProfile(), admin);
        const member = profile({
          role: "member",
          accountSignKey: bytes(21),
          organisationSignKey: undefined,
          organisation: bytes(22, 700),
        });
        await store.apply({ profile: member });
        const stored = await store.getProfile();
        assert.deepEqual(stored, member);
        assert.ok(stored && "organisationSignKey" in stored, "undefined optionals are present as undefined");
      }));

    it("round-trips the profile's keys and organisation view byte for byte, as copies", () =>
      withStore(async ({ store }) => {
        // Seeds that look like what they are: 32 bytes, with the zero and 0xff bytes a text codec would mangle.
        const given = profile({
          device: Uint8Array.from({ length: 300 }, (_, i) => (i * 97) & 0xff),
          accountSignKey: Uint8Array.from({ length: 32 }, (_, i) => (i % 2 === 0 ? 0x00 : 0xff - i)),
          organisationSignKey: Uint8Array.from({ length: 32 }, (_, i) => (255 - i * 13) & 0xff),
          organisation: Uint8Array.from({ length: 1_000 }, (_, i) => (i * 7 + 3) & 0xff),
        });
        const expected = structuredClone(given);
        await store.apply({ profile: given });
        const first = await store.getProfile();
        assert.deepEqual(first, expected);
        assert.ok(first);
        for (const key of profileBytes) {
          assert.notEqual(first[key], given[key], `${key} is not the array given to apply`);
          given[key]?.fill(0xee);
        }
        assert.deepEqual(await store.getProfile(), expected, "changing the arrays given to apply changes nothing");
        for (const key of profileBytes) first[key]?.fill(0x11);
        const second = await store.getProfile();
        assert.deepEqual(second, expected, "changing the arrays a getter returned changes nothing");
        for (const key of profileBytes) assert.notEqual(second?.[key], first[key], `${key} is a fresh array`);
      }));

    it("upserts conversations and lists them by last activity, newest first", () =>
      withStore(async ({ store }) => {
        await store.apply({
          conversations: [
            conversation("c-old", { lastActivityAt: 1_000 }),
            conversation("c-new", { lastActivityAt: 3_000, kind: "group", peerAccountId: undefined }),
            conversation("c-mid", { lastActivityAt: 2_000 }),
          ],
        });
        assert.deepEqual(pluck(await store.listConversations(), "conversationId"), ["c-new", "c-mid", "c-old"]);
        const revived = conversation("c-old", { lastActivityAt: 4_000, epoch: 7, unread: 3, active: false });
        await store.apply({ conversations: [revived] });
        assert.deepEqual(await store.getConversation("c-old"), revived);
        assert.deepEqual(pluck(await store.listConversations(), "conversationId"), ["c-old", "c-new", "c-mid"]);
        assert.deepEqual(await store.getConversation("c-new"), conversation("c-new", groupAt(3_000)));
      }));

    it("sets and clears a conversation's pending state", () =>
      withStore(async ({ store }) => {
        await store.apply({ conversations: [conversation("c1")] });
        const pending = conversation("c1", { pendingState: bytes(9, 64) });
        await store.apply({ conversations: [pending] });
        assert.deepEqual(await store.getConversation("c1"), pending);
        const accepted = conversation("c1", { state: bytes(9, 64), epoch: 2, pendingState: undefined });
        await store.apply({ conversations: [accepted] });
        assert.deepEqual(await store.getConversation("c1"), accepted);
      }));

    it("upserts messages by id and lists a conversation's messages oldest first", () =>
      withStore(async ({ store }) => {
        await store.apply({
          messages: [message("m3", "c1", 3_000), message("m1", "c1", 1_000), message("x1", "c2", 1_500)],
        });
        await store.apply({ messages: [message("m2", "c1", 2_000)] });
        assert.deepEqual(pluckMessages(await store.listMessages("c1")), ["m1", "m2", "m3"]);
        assert.deepEqual(pluckMessages(await store.listMessages("c2")), ["x1"]);
        const edited = message("m1", "c1", 1_000, { status: "read", deleted: true, body: bytes(5, 3) });
        await store.apply({ messages: [edited] });
        assert.deepEqual(await store.getMessage("m1"), edited);
        assert.deepEqual(pluckMessages(await store.listMessages("c1")), ["m1", "m2", "m3"]);
        assert.equal((await store.listMessages("c1")).length, 3, "an upsert adds no second copy");
      }));

    it("with a limit, lists the newest messages, still oldest first", () =>
      withStore(async ({ store }) => {
        const all = [1, 2, 3, 4, 5].map((n) => message(`m${n}`, "c1", n * 1_000));
        await store.apply({ messages: [...all, message("other", "c2", 9_000)] });
        assert.deepEqual(pluckMessages(await store.listMessages("c1", 2)), ["m4", "m5"]);
        assert.deepEqual(pluckMessages(await store.listMessages("c1", 10)), ["m1", "m2", "m3", "m4", "m5"]);
        assert.deepEqual(await store.listMessages("c1", 0), []);
        assert.deepEqual(await store.listMessages("c1", 1), [all[4]]);
      }));

    it("keeps messages stored at the same time in the order first stored", () =>
      withStore(async ({ store }) => {
        await store.apply({ messages: [message("b", "c1", 1_000), message("a", "c1", 1_000)] });
        await store.apply({ messages: [message("c", "c1", 1_000), message("b", "c1", 1_000, { status: "sent" })] });
        assert.deepEqual(pluckMessages(await store.listMessages("c1")), ["b", "a", "c"]);
        assert.deepEqual(pluckMessages(await store.listMessages("c1", 2)), ["a", "c"], "the same order with a limit");
      }));

    it("puts and deletes outbox entries, oldest first, then in the order first stored", () =>
      withStore(async ({ store }) => {
        await store.apply({ outboxPut: [outbox("o-late", 2_000), outbox("o-b", 1_000), outbox("o-a", 1_000)] });
        assert.deepEqual(pluck(await store.listOutbox(), "outboxId"), ["o-b", "o-a", "o-late"]);
        const retried = outbox("o-b", 1_000, { attempts: 3, messageId: undefined });
        await store.apply({ outboxPut: [retried], outboxDelete: ["o-a", "never-there"] });
        assert.deepEqual(await store.listOutbox(), [retried, outbox("o-late", 2_000)]);
        await store.apply({ outboxPut: [outbox("o-x", 500)], outboxDelete: ["o-x"] });
        assert.deepEqual(pluck(await store.listOutbox(), "outboxId"), ["o-b", "o-late"], "puts come before deletes");
      }));

    it("puts and deletes uploads, oldest first, then in the order first stored", () =>
      withStore(async ({ store }) => {
        await store.apply({ uploadsPut: [upload("u-late", 2_000), upload("u-b", 1_000), upload("u-a", 1_000)] });
        assert.deepEqual(pluck(await store.listUploads(), "messageId"), ["u-b", "u-a", "u-late"]);
        const again = upload("u-b", 1_000, { ciphertext: bytes(13, 70_000) });
        await store.apply({ uploadsPut: [again], uploadsDelete: ["u-a", "never-there"] });
        assert.deepEqual(await store.listUploads(), [again, upload("u-late", 2_000)]);
        await store.apply({ uploadsPut: [upload("u-x", 500)], uploadsDelete: ["u-x"] });
        assert.deepEqual(pluck(await store.listUploads(), "messageId"), ["u-b", "u-late"], "puts come before deletes");
      }));

    it("upserts contacts and lists them by display name, then account id", () =>
      withStore(async ({ store }) => {
        await store.apply({ contacts: [contact("a3", "Zoe"), contact("a2", "Anna"), contact("a1", "Anna")] });
        assert.deepEqual(pluck(await store.listContacts(), "accountId"), ["a1", "a2", "a3"]);
        const renamed = contact("a3", "Aaron", [
          { devicePublicKey: "dk1", trust: "organisation", firstSeenAt: 10 },
          { devicePublicKey: "dk2", trust: "unverified", firstSeenAt: 20 },
        ]);
        await store.apply({ contacts: [renamed] });
        assert.deepEqual(await store.getContact("a3"), renamed);
        assert.deepEqual(pluck(await store.listContacts(), "accountId"), ["a3", "a1", "a2"]);
      }));

    it("puts, gets, deletes and counts key packages", () =>
      withStore(async ({ store }) => {
        const last = keyPackage("k-last", true);
        await store.apply({ keyPackagesPut: [keyPackage("k1", false), keyPackage("k2", false), last] });
        assert.deepEqual(await store.countKeyPackages(), { oneTime: 2, lastResort: 1 });
        assert.deepEqual(await store.getKeyPackage("k-last"), last);
        await store.apply({ keyPackagesDelete: ["k1", "unknown"] });
        assert.equal(await store.getKeyPackage("k1"), undefined);
        assert.deepEqual(await store.countKeyPackages(), { oneTime: 1, lastResort: 1 });
        await store.apply({ keyPackagesPut: [keyPackage("k2", true)] });
        assert.deepEqual(await store.countKeyPackages(), { oneTime: 0, lastResort: 2 });
        await store.apply({ keyPackagesPut: [{ ...keyPackage("k0", true), createdAt: 1 }] });
        const at = keyPackage("k2", true).createdAt;
        assert.deepEqual(
          await store.listLastResortKeyPackages(),
          [
            { ref: "k0", createdAt: 1 },
            { ref: "k-last", createdAt: at },
            { ref: "k2", createdAt: at },
          ],
          "replaced last-resort packages are listed, oldest first, then by ref",
        );
      }));

    it("deletes a conversation with its messages, outbox entries and uploads, and nothing of another", () =>
      withStore(async ({ store }) => {
        const kept = {
          conversations: [conversation("c2", groupAt(2_000))],
          messages: [message("x1", "c2", 1_500)],
          outboxPut: [outbox("o-keep", 1, { conversationId: "c2", messageId: "x1" })],
          uploadsPut: [upload("x1", 1, { conversationId: "c2" })],
        };
        await store.apply({
          conversations: [conversation("c1"), ...kept.conversations],
          messages: [message("m1", "c1", 1_000), message("m2", "c1", 2_000), ...kept.messages],
          outboxPut: [outbox("o-gone", 1), ...kept.outboxPut],
          uploadsPut: [upload("m2", 1), ...kept.uploadsPut],
          seen: ["s-c1"],
        });
        await store.apply({ conversationsDelete: ["c1", "never-there"] });
        assert.equal(await store.getConversation("c1"), undefined);
        assert.deepEqual(await store.listMessages("c1"), []);
        assert.equal(await store.getMessage("m1"), undefined);
        assert.deepEqual(await store.listConversations(), kept.conversations);
        assert.deepEqual(await store.listMessages("c2"), kept.messages);
        assert.deepEqual(await store.listOutbox(), kept.outboxPut);
        assert.deepEqual(await store.listUploads(), kept.uploadsPut);
        assert.equal(await store.hasSeen("s-c1"), true, "dedupe keys stay");
        await store.apply({
          conversations: [conversation("c3")],
          messages: [message("m3", "c3", 3_000)],
          conversationsDelete: ["c3"],
        });
        assert.equal(await store.getConversation("c3"), undefined, "puts come before deletes");
        assert.deepEqual(await store.listMessages("c3"), []);
      }));

    it("deletes messages by id after the puts, keeps their dedupe keys, and keeps a chat's timer", () =>
      withStore(async ({ store }) => {
        const timed = conversation("c1", { disappearingSeconds: 3600 });
        await store.apply({
          conversations: [timed, conversation("c2")],
          messages: [message("m1", "c1", 1_000), message("m2", "c1", 2_000), message("m3", "c2", 3_000)],
          seen: ["s-m1"],
        });
        assert.deepEqual(await store.getConversation("c1"), timed);
        assert.deepEqual(await store.getConversation("c2"), conversation("c2"), "no timer stays no timer");
        await store.apply({
          messages: [message("m4", "c1", 4_000)],
          messagesDelete: ["m1", "m4", "never-there"],
        });
        assert.equal(await store.getMessage("m1"), undefined);
        assert.equal(await store.getMessage("m4"), undefined, "puts come before deletes");
        assert.deepEqual(
          (await store.listMessages("c1")).map((m) => m.messageId),
          ["m2"],
        );
        assert.deepEqual(await store.listMessages("c2"), [message("m3", "c2", 3_000)]);
        assert.equal(await store.hasSeen("s-m1"), true, "dedupe keys stay");
      }));

    it("remembers seen keys, and a key seen twice is no error", () =>
      withStore(async ({ store }) => {
        await store.apply({ seen: ["s1", "s2"] });
        await store.apply({ seen: ["s1", "s1"] });
        assert.equal(await store.hasSeen("s1"), true);
        assert.equal(await store.hasSeen("s2"), true);
        assert.equal(await store.hasSeen("s3"), false);
      }));

    describe("a batch with one invalid record changes nothing at all", () => {
      const faults: [string, StoreChanges][] = [
        ["an empty conversationId", { conversations: [conversation("")] }],
        ["a state that is no Uint8Array", { conversations: [{ ...conversation("c9"), state: [1, 2] as never }] }],
        [
          "a pendingState that is no Uint8Array",
          { conversations: [{ ...conversation("c9"), pendingState: "x" as never }] },
        ],
        ["a fractional epoch", { conversations: [conversation("c9", { epoch: 1.5 })] }],
        ["an empty messageId", { messages: [message("", "c1", 1)] }],
        ["a message body that is no Uint8Array", { messages: [{ ...message("m9", "c1", 1), body: null as never }] }],
        ["an empty outboxId", { outboxPut: [outbox("", 1)] }],
        ["an empty outbox delete", { outboxDelete: [""] }],
        ["an empty upload messageId", { uploadsPut: [upload("", 1)] }],
        ["a ciphertext that is no Uint8Array", { uploadsPut: [{ ...upload("u9", 1), ciphertext: [1] as never }] }],
        ["an empty upload delete", { uploadsDelete: [""] }],
        ["an empty accountId", { contacts: [contact("", "Nobody")] }],
        ["an empty key package ref", { keyPackagesPut: [keyPackage("", false)] }],
        [
          "a key package bundle that is no Uint8Array",
          { keyPackagesPut: [{ ...keyPackage("k9", false), bundle: "b" as never }] },
        ],
        ["an empty seen key", { seen: [""] }],
        ["an empty conversation delete", { conversationsDelete: [""] }],
        ["an empty message delete", { messagesDelete: [""] }],
        ["a fractional timer", { conversations: [conversation("c9", { disappearingSeconds: 0.5 })] }],
        ["a profile without a device", { profile: { ...profile(), device: undefined as never } }],
        ["a profile with an empty accountId", { profile: profile({ accountId: "" }) }],
        ["a profile without an accountSignKey", { profile: { ...profile(), accountSignKey: undefined as never } }],
        ["a profile without an organisation view", { profile: { ...profile(), organisation: undefined as never } }],
        [
          "an organisationSignKey that is no Uint8Array",
          { profile: { ...profile(), organisationSignKey: [1, 2] as never } },
        ],
      ];
      for (const [fault, bad] of faults) {
        it(`refuses ${fault}`, () =>
          withStore(async ({ store }) => {
            await store.apply(fullBatch("before"));
            const snapshot = await snapshotOf(store);
            const batch: StoreChanges = { ...mergeBatches(fullBatch("after"), bad) };
            await assert.rejects(store.apply(batch), (error: unknown) => {
              assert.ok(error instanceof Error);
              assert.equal((error as { code?: unknown }).code, "store_changes_invalid");
              return true;
            });
            assert.deepEqual(await snapshotOf(store), snapshot);
          }));
      }
    });

    it("returns bytes equal to those stored and never aliases them", () =>
      withStore(async ({ store }) => {
        const given = fullBatch("b");
        await store.apply(given);
        const expected = await snapshotOf(store);
        assert.deepEqual(expected, snapshotOfBatch(given));
        // Mutate what the caller passed in and what the store handed out.
        mutateAll(given);
        mutateAll(toBatch(await snapshotOf(store)));
        assert.deepEqual(await snapshotOf(store), expected);
        const first = await store.getConversation("conv-b");
        assert.ok(first);
        first.state.fill(0);
        assert.notDeepEqual((await store.getConversation("conv-b"))?.state, first.state);
      }));

    it("keeps everything across a reopen", (t) =>
      withStore(async ({ store, reopen }) => {
        if (!reopen) {
          t.skip("this backend keeps nothing across a reopen");
          return;
        }
        await store.apply(fullBatch("d"));
        await store.apply({ outboxPut: [outbox("o-2", 5)], keyPackagesDelete: ["kp-d-1"] });
        const before = await snapshotOf(store);
        await store.close();
        const again = await reopen();
        try {
          assert.deepEqual(await snapshotOf(again), before);
        } finally {
          await again.close();
        }
      }));
  });
}

// ── fixtures ──────────────────────────────────────────────────────────────

function bytes(seed: number, length = 32): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (seed * 31 + i * 7) & 0xff);
}

function profile(overrides: Partial<ProfileRecord> = {}): ProfileRecord {
  return {
    serverUrl: "https://bote.example.de/",
    accountId: "acc-self",
    deviceId: "dev-self",
    role: "admin",
    organisationId: "org-1",
    organisationName: "Beispiel GmbH",
    device: bytes(1, 200),
    accountSignKey: bytes(2),
    organisationSignKey: bytes(3),
    organisation: bytes(11, 400),
    ...overrides,
  };
}

function conversation(conversationId: string, overrides: Partial<ConversationRecord> = {}): ConversationRecord {
  return {
    conversationId,
    kind: "direct",
    name: "Anna Schmidt",
    peerAccountId: "acc-anna",
    state: bytes(4, 500),
    epoch: 1,
    pendingState: undefined,
    active: true,
    unread: 0,
    lastActivityAt: 1_700_000_000_000,
    ...overrides,
  };
}

function groupAt(lastActivityAt: number): Partial<ConversationRecord> {
  return { lastActivityAt, kind: "group", peerAccountId: undefined };
}

function message(
  messageId: string,
  conversationId: string,
  storedAt: number,
  overrides: Partial<MessageRecord> = {},
): MessageRecord {
  return {
    messageId,
    conversationId,
    direction: "in",
    senderAccountId: "acc-anna",
    senderName: "Anna Schmidt",
    sentAt: storedAt - 5,
    storedAt,
    kind: "content",
    body: bytes(6, 40),
    status: "received",
    deleted: false,
    ...overrides,
  };
}

function outbox(outboxId: string, createdAt: number, overrides: Partial<OutboxRecord> = {}): OutboxRecord {
  return {
    outboxId,
    conversationId: "c1",
    messageId: "m1",
    send: bytes(7, 90),
    createdAt,
    attempts: 0,
    ...overrides,
  };
}

function upload(messageId: string, createdAt: number, overrides: Partial<UploadRecord> = {}): UploadRecord {
  return { messageId, conversationId: "c1", ciphertext: bytes(12, 300), createdAt, ...overrides };
}

function contact(accountId: string, displayName: string, devices: ContactRecord["devices"] = []): ContactRecord {
  return { accountId, displayName, devices };
}

function keyPackage(ref: string, lastResort: boolean): KeyPackageRecord {
  return { ref, bundle: bytes(8, 120), lastResort, createdAt: 1_700_000_000_123 };
}

/** One record of every kind, ids suffixed with `tag`. */
function fullBatch(tag: string): StoreChanges {
  return {
    profile: profile({ deviceId: `dev-${tag}` }),
    conversations: [conversation(`conv-${tag}`, { pendingState: bytes(10) })],
    messages: [message(`msg-${tag}`, `conv-${tag}`, 2_000)],
    outboxPut: [outbox(`out-${tag}`, 3_000)],
    uploadsPut: [upload(`up-${tag}`, 3_500)],
    contacts: [
      contact(`acc-${tag}`, `Name ${tag}`, [{ devicePublicKey: `dk-${tag}`, trust: "verified", firstSeenAt: 4 }]),
    ],
    keyPackagesPut: [keyPackage(`kp-${tag}-1`, false), keyPackage(`kp-${tag}-2`, true)],
    seen: [`seen-${tag}`],
  };
}

function mergeBatches(a: StoreChanges, b: StoreChanges): StoreChanges {
  const profile = b.profile ?? a.profile;
  return {
    ...(profile && { profile }),
    conversations: [...(a.conversations ?? []), ...(b.conversations ?? [])],
    messages: [...(a.messages ?? []), ...(b.messages ?? [])],
    outboxPut: [...(a.outboxPut ?? []), ...(b.outboxPut ?? [])],
    outboxDelete: [...(a.outboxDelete ?? []), ...(b.outboxDelete ?? [])],
    uploadsPut: [...(a.uploadsPut ?? []), ...(b.uploadsPut ?? [])],
    uploadsDelete: [...(a.uploadsDelete ?? []), ...(b.uploadsDelete ?? [])],
    contacts: [...(a.contacts ?? []), ...(b.contacts ?? [])],
    keyPackagesPut: [...(a.keyPackagesPut ?? []), ...(b.keyPackagesPut ?? [])],
    keyPackagesDelete: [...(a.keyPackagesDelete ?? []), ...(b.keyPackagesDelete ?? [])],
    seen: [...(a.seen ?? []), ...(b.seen ?? [])],
    conversationsDelete: [...(a.conversationsDelete ?? []), ...(b.conversationsDelete ?? [])],
    messagesDelete: [...(a.messagesDelete ?? []), ...(b.messagesDelete ?? [])],
  };
}

/** Everything a store can answer about the fixture ids, to compare before and after. */
interface Snapshot {
  profile: ProfileRecord | undefined;
  conversations: ConversationRecord[];
  messages: MessageRecord[];
  outbox: OutboxRecord[];
  uploads: UploadRecord[];
  contacts: ContactRecord[];
  keyPackages: (KeyPackageRecord | undefined)[];
  counts: { oneTime: number; lastResort: number };
  seen: boolean[];
}

const probedTags = ["before", "after", "b", "d"];

async function snapshotOf(store: ClientStore): Promise<Snapshot> {
  const conversations = await store.listConversations();
  const messages: MessageRecord[] = [];
  for (const c of [...conversations.map((c) => c.conversationId), "c1", "c2"]) {
    messages.push(...(await store.listMessages(c)));
  }
  const refs = [...probedTags.flatMap((t) => [`kp-${t}-1`, `kp-${t}-2`]), "k9"];
  return {
    profile: await store.getProfile(),
    conversations,
    messages,
    outbox: await store.listOutbox(),
    uploads: await store.listUploads(),
    contacts: await store.listContacts(),
    keyPackages: await Promise.all(refs.map((r) => store.getKeyPackage(r))),
    counts: await store.countKeyPackages(),
    seen: await Promise.all(probedTags.map((t) => store.hasSeen(`seen-${t}`))),
  };
}

/** What snapshotOf must answer on a store that holds exactly `batch` (one of fullBatch's). */
function snapshotOfBatch(batch: StoreChanges): Snapshot {
  const keyPackages = batch.keyPackagesPut ?? [];
  const refs = [...probedTags.flatMap((t) => [`kp-${t}-1`, `kp-${t}-2`]), "k9"];
  return {
    profile: batch.profile,
    conversations: [...(batch.conversations ?? [])],
    messages: [...(batch.messages ?? [])],
    outbox: [...(batch.outboxPut ?? [])],
    uploads: [...(batch.uploadsPut ?? [])],
    contacts: [...(batch.contacts ?? [])],
    keyPackages: refs.map((r) => keyPackages.find((k) => k.ref === r)),
    counts: {
      oneTime: keyPackages.filter((k) => !k.lastResort).length,
      lastResort: keyPackages.filter((k) => k.lastResort).length,
    },
    seen: probedTags.map((t) => (batch.seen ?? []).includes(`seen-${t}`)),
  };
}

function toBatch(s: Snapshot): StoreChanges {
  return {
    ...(s.profile && { profile: s.profile }),
    conversations: s.conversations,
    messages: s.messages,
    outboxPut: s.outbox,
    uploadsPut: s.uploads,
    keyPackagesPut: s.keyPackages.filter((k) => k !== undefined),
  };
}

/** The profile's byte fields: the secrets and the organisation view. */
const profileBytes = ["device", "accountSignKey", "organisationSignKey", "organisation"] as const;

function mutateAll(batch: StoreChanges): void {
  const all: (Uint8Array | undefined)[] = [
    ...profileBytes.map((key) => batch.profile?.[key]),
    ...(batch.conversations ?? []).flatMap((c) => [c.state, c.pendingState]),
    ...(batch.messages ?? []).map((m) => m.body),
    ...(batch.outboxPut ?? []).map((o) => o.send),
    ...(batch.uploadsPut ?? []).map((u) => u.ciphertext),
    ...(batch.keyPackagesPut ?? []).map((k) => k.bundle),
  ];
  for (const b of all) b?.fill(0xee);
}

function pluck<T, K extends keyof T>(records: readonly T[], key: K): T[K][] {
  return records.map((r) => r[key]);
}

function pluckMessages(records: readonly MessageRecord[]): string[] {
  return pluck(records, "messageId");
}

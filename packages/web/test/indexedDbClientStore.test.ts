/**
 * The IndexedDB ClientStore in a real Chromium: the shared contract suite
 * runs against stores living in a page, each call forwarded by
 * `page.evaluate`, and the raw records are searched for a known secret.
 * Without /usr/bin/chromium the tests skip and say why; under CI=true they fail.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { randomBytes } from "node:crypto";
import { build } from "esbuild";
import type { Browser, Page } from "playwright-core";
import { chromiumSkipReason, launchChromium, packageDir } from "./support/browserPage.js";
import { ClientStoreError, type ClientStore, type ClientStoreErrorCode } from "@bote/core";
import { describeClientStoreContract } from "@bote/testing";
import type { StorePageApi } from "./support/storePage.js";
import { decode, encode } from "./support/wireCodec.js";

// ── the page ──────────────────────────────────────────────────────────────

interface Harness {
  readonly page: Page;
  close(): Promise<void>;
}

let harness: Promise<Harness> | undefined;

/** One server, browser and page for the whole file, started by the first test that needs it. */
function pageHarness(): Promise<Harness> {
  harness ??= startHarness();
  return harness;
}

async function startHarness(): Promise<Harness> {
  const bundle = await build({
    entryPoints: [`${packageDir}test/support/storePage.ts`],
    absWorkingDir: packageDir,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "chrome120",
    write: false,
    logLevel: "silent",
  });
  const script = bundle.outputFiles[0]!.contents;
  const server = createServer((request, response) => {
    if (request.url === "/store.js") {
      response.writeHead(200, { "content-type": "text/javascript" }).end(script);
    } else if (request.url === "/") {
      const html =
        '<!doctype html><meta charset="utf-8"><title>store</title><script type="module" src="/store.js"></script>';
      response.writeHead(200, { "content-type": "text/html" }).end(html);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${portOf(server)}/`);
    await page.waitForFunction(() => "bote" in globalThis);
    const opened = browser;
    return {
      page,
      async close() {
        await opened.close();
        await closeServer(server);
      },
    };
  } catch (error) {
    await browser?.close();
    await closeServer(server);
    throw error;
  }
}

function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("server has no port");
  return address.port;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

// What storePage.ts puts on the page's globalThis; only functions run by page.evaluate use it.
declare global {
  var bote: StorePageApi;
}

// ── the proxy ─────────────────────────────────────────────────────────────

const methods = [
  "getProfile",
  "getConversation",
  "listConversations",
  "listMessages",
  "getMessage",
  "listOutbox",
  "listUploads",
  "getContact",
  "listContacts",
  "getKeyPackage",
  "countKeyPackages",
  "listLastResortKeyPackages",
  "hasSeen",
  "apply",
  "close",
] as const satisfies readonly (keyof ClientStore)[];
// Every method of the port goes through the proxy: a method added to ClientStore and forgotten here does not compile.
const proxiesEveryMethod: Exclude<keyof ClientStore, (typeof methods)[number]> extends never ? true : false = true;
void proxiesEveryMethod;

/** Opens (or reopens) database `name` in the page: each call of the proxy runs there. */
async function openInPage(page: Page, name: string): Promise<ClientStore> {
  const handle = unwrap(await page.evaluate((n) => bote.open(n), name)) as number;
  const call = async (method: string, args: unknown[]): Promise<unknown> =>
    unwrap(await page.evaluate(([h, m, a]) => bote.call(h, m, a), [handle, method, encode(args)] as const));
  return Object.fromEntries(methods.map((m) => [m, (...args: unknown[]) => call(m, args)])) as unknown as ClientStore;
}

/** The page's answer, or its error thrown again here: a ClientStoreError keeps its code and path. */
function unwrap(encoded: string): unknown {
  const answer = decode(encoded) as {
    ok?: unknown;
    error?: { name: unknown; code: unknown; path: unknown; message: string };
  };
  const e = answer.error;
  if (e === undefined) return answer.ok;
  if (e.name !== "ClientStoreError") throw new Error(e.message);
  const path = typeof e.path === "string" ? e.path : undefined;
  throw new ClientStoreError(e.code as ClientStoreErrorCode, e.message, path === undefined ? {} : { path });
}

function freshName(): string {
  return `bote-test-${randomBytes(6).toString("hex")}`;
}

async function deleteInPage(page: Page, name: string): Promise<void> {
  await page.evaluate((n) => bote.deleteDatabase(n), name);
}

// ── the tests ─────────────────────────────────────────────────────────────

const skip = chromiumSkipReason("IndexedDB tests");

if (skip !== undefined) {
  describe("IndexedDbClientStore in Chromium", { skip }, () => undefined);
} else {
  after(async () => {
    if (harness) await (await harness).close();
  });

  describeClientStoreContract("indexeddb (Chromium)", async () => {
    const { page } = await pageHarness();
    const name = freshName();
    const opened = [await openInPage(page, name)];
    return {
      store: opened[0]!,
      reopen: async () => {
        const again = await openInPage(page, name);
        opened.push(again);
        return again;
      },
      async cleanup() {
        for (const store of opened) await store.close();
        await deleteInPage(page, name);
      },
    };
  });

  describe("IndexedDbClientStore at rest", () => {
    const secret = Uint8Array.from({ length: 48 }, (_, i) => (i * 53 + 17) & 0xff);
    const view = Uint8Array.from({ length: 64 }, (_, i) => (i * 29 + 5) & 0xff);
    const profileAt = (accountId: string) => ({
      serverUrl: "https://bote.example.de/",
      accountId,
      deviceId: "dev-1",
      role: "admin" as const,
      organisationId: "org-1",
      organisationName: "Beispiel GmbH",
      device: secret,
      accountSignKey: secret,
      organisationSignKey: secret,
      organisation: view,
    });

    it("keeps no secret byte in the clear and its wrapping key is not extractable", async () => {
      const { page } = await pageHarness();
      const name = freshName();
      const store = await openInPage(page, name);
      try {
        await store.apply({
          profile: profileAt("acc-1"),
          conversations: [conversationWith("conv-1", secret)],
          messages: [
            {
              messageId: "msg-1",
              conversationId: "conv-1",
              direction: "in",
              senderAccountId: "acc-2",
              senderName: "Anna",
              sentAt: 1,
              storedAt: 2,
              kind: "content",
              body: secret,
              status: "received",
              deleted: false,
            },
          ],
          outboxPut: [
            {
              outboxId: "out-1",
              conversationId: "conv-1",
              messageId: undefined,
              send: secret,
              createdAt: 3,
              attempts: 0,
            },
          ],
          keyPackagesPut: [{ ref: "kp-1", bundle: secret, lastResort: false, createdAt: 4 }],
        });
        assert.deepEqual((await store.getConversation("conv-1"))?.state, secret, "it reads back what it sealed");
        await store.close();

        const raw = decode(await page.evaluate((n) => bote.dumpRaw(n), name)) as Record<string, unknown[]>;
        assert.equal(raw.conversations?.length, 1, "the dump holds the conversation record");
        const found = collectBytes(raw);
        assert.ok(found.length >= 9, `expected the sealed values in the dump, found ${found.length} byte fields`);
        for (const bytes of found) {
          assert.equal(indexOf(bytes, secret.subarray(0, 16)), -1, "a secret appears in the clear at rest");
        }
        const storedProfile = raw.profile?.[0] as Record<string, unknown> | undefined;
        for (const key of ["device", "accountSignKey", "organisationSignKey"]) {
          const sealed = storedProfile?.[key];
          assert.ok(sealed instanceof Uint8Array, `the profile's ${key} is stored`);
          assert.equal(sealed.length, secret.length + 12 + 16, `the profile's ${key} is sealed`);
        }
        assert.deepEqual(storedProfile?.organisation, view, "the organisation view is stored as given");
        assert.equal(storedProfile && "organisationPublicKey" in storedProfile, false);
        const sealedStates = [raw.conversations?.[0]].map((c) => (c as { state: Uint8Array }).state);
        assert.equal(sealedStates[0]?.length, secret.length + 12 + 16, "nonce, ciphertext and tag");

        const keys = JSON.stringify(raw.keys);
        assert.deepEqual(
          raw.keys,
          [{ $cryptoKey: { extractable: false, algorithm: "AES-GCM", exported: false } }],
          keys,
        );
      } finally {
        await deleteInPage(page, name);
      }
    });

    it("uses a fresh nonce for every value, so equal secrets are stored differently", async () => {
      const { page } = await pageHarness();
      const name = freshName();
      const store = await openInPage(page, name);
      try {
        await store.apply({ conversations: [conversationWith("a", secret), conversationWith("b", secret)] });
        await store.close();
        const raw = decode(await page.evaluate((n) => bote.dumpRaw(n), name)) as Record<string, unknown[]>;
        const [a, b] = (raw.conversations as { state: Uint8Array }[]).map((c) => c.state);
        assert.ok(a && b);
        assert.notDeepEqual(a.subarray(0, 12), b.subarray(0, 12));
        assert.notDeepEqual(a, b);
      } finally {
        await deleteInPage(page, name);
      }
    });

    it("fails closed with profile_unreadable when a sealed value was altered", async () => {
      const { page } = await pageHarness();
      const name = freshName();
      const store = await openInPage(page, name);
      try {
        await store.apply({ conversations: [conversationWith("conv-1", secret)] });
        await store.close();
        await page.evaluate(([n, c]) => bote.tamperState(n, c), [name, "conv-1"] as const);
        const again = await openInPage(page, name);
        await assert.rejects(again.getConversation("conv-1"), isStoreError("profile_unreadable"));
        await assert.rejects(again.listConversations(), isStoreError("profile_unreadable"));
        await again.close();
      } finally {
        await deleteInPage(page, name);
      }
    });

    it("refuses a profile from before the organisation key chain with profile_outdated", async () => {
      const { page } = await pageHarness();
      const name = freshName();
      const store = await openInPage(page, name);
      try {
        await store.apply({ profile: profileAt("acc-1"), conversations: [conversationWith("conv-1", secret)] });
        await store.close();
        await page.evaluate(writeOldProfile, name);
        const again = await openInPage(page, name);
        await assert.rejects(again.getProfile(), isStoreError("profile_outdated"));
        assert.deepEqual((await again.getConversation("conv-1"))?.state, secret, "the rest is still readable");
        await again.close();
      } finally {
        await deleteInPage(page, name);
      }
    });

    it("opens a database of schema 1 (before uploads) and adds the uploads store", async () => {
      const { page } = await pageHarness();
      const name = freshName();
      try {
        await page.evaluate(createSchemaOne, name);
        const store = await openInPage(page, name);
        assert.deepEqual(await store.listUploads(), []);
        const upload = { messageId: "msg-1", conversationId: "conv-1", ciphertext: secret, createdAt: 1 };
        await store.apply({ conversations: [conversationWith("conv-1", secret)], uploadsPut: [upload] });
        assert.deepEqual(await store.listUploads(), [upload]);
        assert.deepEqual((await store.getConversation("conv-1"))?.state, secret);
        await store.close();
      } finally {
        await deleteInPage(page, name);
      }
    });

    it("upgrades a database of schema 1, so a chat's newest messages are read without the rest", async () => {
      const { page } = await pageHarness();
      const name = freshName();
      try {
        await page.evaluate(createSchemaOne, name);
        const store = await openInPage(page, name);
        const at = (n: number) => ({
          messageId: `m${n}`,
          conversationId: "conv-1",
          direction: "in" as const,
          senderAccountId: "acc-2",
          senderName: "Anna",
          sentAt: n,
          storedAt: n,
          kind: "content" as const,
          body: secret,
          status: "received" as const,
          deleted: false,
        });
        await store.apply({ messages: [3, 1, 2].map(at) });
        assert.deepEqual(
          (await store.listMessages("conv-1", 2)).map((m) => m.messageId),
          ["m2", "m3"],
        );
        await store.close();
      } finally {
        await deleteInPage(page, name);
      }
    });

    it("refuses a database of a newer schema with profile_too_new", async () => {
      const { page } = await pageHarness();
      const name = freshName();
      try {
        await (await openInPage(page, name)).close();
        await page.evaluate((n) => bote.bumpVersion(n), name);
        await assert.rejects(openInPage(page, name), isStoreError("profile_too_new"));
      } finally {
        await deleteInPage(page, name);
      }
    });
  });
}

/**
 * Runs in the page: rewrites the stored profile into the shape the app wrote
 * before the organisation key chain (an organisationPublicKey in the clear,
 * no accountSignKey, no organisation view). Self-contained, as page.evaluate
 * sends only its source.
 */
async function writeOldProfile(name: string): Promise<void> {
  const done = <T>(request: IDBRequest<T>): Promise<T> =>
    new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error("request failed"));
    });
  const db = await done(indexedDB.open(name));
  try {
    const tx = db.transaction("profile", "readwrite");
    const profiles = tx.objectStore("profile");
    const current = (await done(profiles.get("self"))) as Record<string, unknown>;
    const old: Record<string, unknown> = { ...current, organisationPublicKey: new Uint8Array(32).fill(2) };
    delete old.accountSignKey;
    delete old.organisation;
    await done(profiles.put(old, "self"));
  } finally {
    db.close();
  }
}

/** Runs in the page: an empty database as the first IndexedDbClientStore (schema 1) created it. */
async function createSchemaOne(name: string): Promise<void> {
  const request = indexedDB.open(name, 1);
  request.onupgradeneeded = () => {
    const db = request.result;
    for (const store of ["keys", "meta", "profile", "seen"]) db.createObjectStore(store);
    db.createObjectStore("conversations", { keyPath: "conversationId" });
    db.createObjectStore("messages", { keyPath: "messageId" }).createIndex("byConversation", "conversationId");
    db.createObjectStore("outbox", { keyPath: "outboxId" });
    db.createObjectStore("contacts", { keyPath: "accountId" });
    db.createObjectStore("keyPackages", { keyPath: "ref" });
  };
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("open failed"));
  });
  db.close();
}

function conversationWith(conversationId: string, state: Uint8Array) {
  return {
    conversationId,
    kind: "group" as const,
    name: "Baustelle",
    peerAccountId: undefined,
    state,
    epoch: 1,
    pendingState: state,
    active: true,
    unread: 0,
    lastActivityAt: 5,
  };
}

function collectBytes(value: unknown, into: Uint8Array[] = []): Uint8Array[] {
  if (value instanceof Uint8Array) into.push(value);
  else if (Array.isArray(value)) for (const v of value) collectBytes(v, into);
  else if (value !== null && typeof value === "object") for (const v of Object.values(value)) collectBytes(v, into);
  return into;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(needle);
}

function isStoreError(code: ClientStoreErrorCode): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof ClientStoreError, `expected ClientStoreError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  };
}

/**
 * What the test page runs (bundled by esbuild, never by tsc's output): the
 * stores live here, and the Node side calls them by handle through
 * `page.evaluate`. Values cross as JSON with tagged bytes and undefined, so
 * a record comes back exactly as the store gave it.
 */
import type { ClientStore } from "@bote/core";
import { IndexedDbClientStore } from "@bote/web";
import { decode, encode } from "./wireCodec.js";

const stores = new Map<number, ClientStore>();
let nextHandle = 1;

/** Opens database `name`; the answer is `{ ok: handle }` or `{ error }`, encoded. */
function open(name: string): Promise<string> {
  return answer(async () => {
    const handle = nextHandle++;
    stores.set(handle, await IndexedDbClientStore.open(name));
    return handle;
  });
}

/** Calls `method` with encoded `args`; the answer is `{ ok }` or `{ error }`, encoded. */
function call(handle: number, method: string, args: string): Promise<string> {
  return answer(() => {
    const store = stores.get(handle) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const fn = store[method];
    if (fn === undefined) throw new Error(`no method ${method}`);
    return fn.apply(store, decode(args) as unknown[]);
  });
}

async function answer(run: () => Promise<unknown>): Promise<string> {
  try {
    return encode({ ok: await run() });
  } catch (error) {
    const e = error as { name?: unknown; code?: unknown; path?: unknown; message?: unknown };
    return encode({ error: { name: e.name, code: e.code, path: e.path, message: String(e.message) } });
  }
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error ?? new Error("deleteDatabase failed"));
  });
}

function openRaw(name: string, version?: number): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name, version);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("open failed"));
  });
}

function result(request: IDBRequest): Promise<unknown> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("request failed"));
  });
}

/**
 * Every record of every object store, as the files hold it: byte arrays as
 * they are, CryptoKeys by their properties and whether exporting them works.
 */
async function dumpRaw(name: string): Promise<string> {
  const db = await openRaw(name);
  try {
    const dump: Record<string, unknown[]> = {};
    for (const storeName of Array.from(db.objectStoreNames)) {
      const records = (await result(db.transaction(storeName).objectStore(storeName).getAll())) as unknown[];
      dump[storeName] = await Promise.all(records.map(describeKeys));
    }
    return encode(dump);
  } finally {
    db.close();
  }
}

async function describeKeys(value: unknown): Promise<unknown> {
  if (!(value instanceof CryptoKey)) return value;
  const exported = await crypto.subtle.exportKey("raw", value).then(
    () => true,
    () => false,
  );
  return { $cryptoKey: { extractable: value.extractable, algorithm: value.algorithm.name, exported } };
}

/** Flips one bit of a conversation's sealed state, as a damaged or foreign file would. */
async function tamperState(name: string, conversationId: string): Promise<void> {
  const db = await openRaw(name);
  try {
    const store = db.transaction("conversations", "readwrite").objectStore("conversations");
    const record = (await result(store.get(conversationId))) as { state: Uint8Array };
    record.state[record.state.length - 1]! ^= 1;
    await result(store.put(record));
  } finally {
    db.close();
  }
}

/** Raises the database's version, as a newer Bote would. */
async function bumpVersion(name: string): Promise<void> {
  (await openRaw(name, 99)).close();
}

const api = { open, call, deleteDatabase, dumpRaw, tamperState, bumpVersion };
export type StorePageApi = typeof api;
(globalThis as unknown as { bote: StorePageApi }).bote = api;

/**
 * What the app lock test page runs (bundled by esbuild): locks opened by
 * handle on a clock the Node side moves, answers as JSON.
 */
import { AppLock } from "../../src/lock/appLock.js";

let now = 1_700_000_000_000;
const locks = new Map<number, AppLock>();
let nextHandle = 1;

export type Answer = { ok: unknown } | { error: { name: string; code: unknown; retryAfterMs: unknown } };

async function answer(run: () => unknown): Promise<Answer> {
  try {
    return { ok: (await run()) ?? null };
  } catch (error) {
    const e = error as { name?: unknown; code?: unknown; retryAfterMs?: unknown };
    return { error: { name: String(e.name), code: e.code, retryAfterMs: e.retryAfterMs } };
  }
}

function lock(handle: number): AppLock {
  const found = locks.get(handle);
  if (found === undefined) throw new Error(`no lock ${handle}`);
  return found;
}

async function open(name: string): Promise<number> {
  const handle = nextHandle++;
  locks.set(handle, await AppLock.open(name, { now: () => now }));
  return handle;
}

const api = {
  open,
  enabled: (handle: number) => lock(handle).enabled,
  setPin: (handle: number, pin: string) => answer(() => lock(handle).setPin(pin)),
  removePin: (handle: number, pin: string) => answer(() => lock(handle).removePin(pin)),
  unlock: (handle: number, pin: string) => lock(handle).unlock(pin),
  close: (handle: number) => lock(handle).close(),
  advance: (ms: number) => {
    now += ms;
  },
  /** The stored record, as the IndexedDB files hold it: field names and byte lengths. */
  raw: (name: string) =>
    new Promise<unknown>((resolve, reject) => {
      const opening = indexedDB.open(name);
      opening.onerror = () => reject(opening.error ?? new Error("open failed"));
      opening.onsuccess = () => {
        const db = opening.result;
        const get = db.transaction("lock").objectStore("lock").getAll();
        get.onerror = () => reject(get.error ?? new Error("get failed"));
        get.onsuccess = () => {
          db.close();
          resolve(
            (get.result as Record<string, unknown>[]).map((r) =>
              Object.fromEntries(
                Object.entries(r).map(([k, v]) => [k, v instanceof Uint8Array ? `bytes:${v.length}` : v]),
              ),
            ),
          );
        };
      };
    }),
};
export type LockPageApi = typeof api;
(globalThis as unknown as { boteLock: LockPageApi }).boteLock = api;

/**
 * What the service worker needs to know when a push wakes it, kept in an
 * IndexedDB database of its own (a worker has no localStorage): whether
 * notifications are on, whether they may show sender and text, and the
 * language to write them in. No message content, no key.
 */
export interface PushSettings {
  readonly enabled: boolean;
  /** Show "Anna Admin: Fotos kommen gleich"; otherwise only "Neue Nachricht". */
  readonly preview: boolean;
  readonly language: "de" | "en";
}

export const defaultPushSettings: PushSettings = { enabled: false, preview: true, language: "de" };

const DB = "bote-push";
const STORE = "settings";
const KEY = "push";

export async function readPushSettings(): Promise<PushSettings> {
  const db = await openDatabase();
  try {
    const stored = await request<Partial<PushSettings> | undefined>(db.transaction(STORE).objectStore(STORE).get(KEY));
    return { ...defaultPushSettings, ...stored };
  } finally {
    db.close();
  }
}

export async function writePushSettings(changes: Partial<PushSettings>): Promise<PushSettings> {
  const db = await openDatabase();
  try {
    const tx = db.transaction(STORE, "readwrite");
    const store = tx.objectStore(STORE);
    const current = await request<Partial<PushSettings> | undefined>(store.get(KEY));
    const next: PushSettings = { ...defaultPushSettings, ...current, ...changes };
    store.put(next, KEY);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onabort = () => reject(tx.error ?? new Error("transaction aborted"));
    });
    return next;
  } finally {
    db.close();
  }
}

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open(DB, 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore(STORE);
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error ?? new Error(`cannot open ${DB}`));
  });
}

function request<T>(req: IDBRequest): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result as T);
    req.onerror = () => reject(req.error ?? new Error("request failed"));
  });
}

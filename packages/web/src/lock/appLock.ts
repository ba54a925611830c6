/**
 * The optional app lock: a PIN the person enters before the app shows
 * anything, a login of its own beside the device's screen lock (as the
 * DSK/gematik messenger requirements ask of a business messenger).
 *
 * What it protects: while locked, the app neither opens the decrypted
 * ClientStore nor connects to the server nor renders a chat, so someone
 * who picks up an unlocked phone or a shared office PC with the app open in
 * a tab that was reloaded sees nothing. After 5 minutes without use the app
 * closes the device again and shows the lock (inactivity.ts); an
 * organisation's policy may require a PIN of a minimum length. Guessing is slowed down: every wrong
 * PIN is counted in IndexedDB (reloading does not reset it), and from the
 * 5th wrong attempt on the lock refuses without checking for 30 s, doubling
 * up to an hour.
 *
 * What it does not protect: it is no encryption of the store. The store is
 * sealed under a non-extractable browser key that the app can use without
 * the PIN, and the PIN is not part of that key; script running in this
 * origin, or someone with the browser profile and its key store, gets the
 * data without the PIN. Only a salt and a PBKDF2-SHA-256 verifier of the PIN
 * are stored, but a 4–12 digit PIN is a small space: a copy of the verifier
 * can be brute-forced offline. It guards the screen, not the disk.
 */
export type LockErrorCode = "pin_invalid" | "pin_wrong" | "pin_already_set";

export class LockError extends Error {
  override readonly name = "LockError";
  constructor(
    readonly code: LockErrorCode,
    /** For "pin_wrong": how long unlock refuses from now on (0 when it does not). */
    readonly retryAfterMs = 0,
  ) {
    super(code);
  }
}

export type UnlockResult = { ok: true } | { ok: false; retryAfterMs: number };

export interface AppLockOptions {
  /** The clock for the waiting times; tests inject one. */
  readonly now?: () => number;
}

/** PBKDF2 iterations, as OWASP recommends for PBKDF2-HMAC-SHA256 (2023). */
export const PIN_ITERATIONS = 600_000;
/** Wrong attempts that are free; from the next one on, unlock waits. */
const FREE_ATTEMPTS = 4;
const FIRST_WAIT_MS = 30_000;
const MAX_WAIT_MS = 3_600_000;

interface LockRecord {
  readonly salt: Uint8Array;
  readonly verifier: Uint8Array;
  readonly iterations: number;
  readonly failures: number;
  /** Time before which unlock refuses, from the injected clock. */
  readonly blockedUntil: number;
}

const STORE = "lock";
const KEY = "pin";

export class AppLock {
  readonly #db: IDBDatabase;
  readonly #now: () => number;
  #enabled: boolean;

  private constructor(db: IDBDatabase, now: () => number, enabled: boolean) {
    this.#db = db;
    this.#now = now;
    this.#enabled = enabled;
  }

  static async open(dbName = "bote-lock", options: AppLockOptions = {}): Promise<AppLock> {
    const db = await openDatabase(dbName);
    const record = await request<LockRecord | undefined>(db.transaction(STORE).objectStore(STORE).get(KEY));
    return new AppLock(db, options.now ?? Date.now, record !== undefined);
  }

  /** Whether a PIN is set; the app shows the lock screen first when it is. */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** Sets a PIN where none is; changing one is removePin(old) then setPin(new). */
  async setPin(pin: string): Promise<void> {
    checkPin(pin);
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const verifier = await derive(pin, salt, PIN_ITERATIONS);
    const record: LockRecord = { salt, verifier, iterations: PIN_ITERATIONS, failures: 0, blockedUntil: 0 };
    await this.#update((current) => {
      if (current !== undefined) throw new LockError("pin_already_set");
      return record;
    });
    this.#enabled = true;
  }

  /** Removes the PIN, which must be right; a wrong one counts as a failed unlock. */
  async removePin(pin: string): Promise<void> {
    checkPin(pin);
    const result = await this.unlock(pin);
    if (!result.ok) throw new LockError("pin_wrong", result.retryAfterMs);
    await this.#update(() => null);
    this.#enabled = false;
  }

  /**
   * Checks the PIN. The attempt is counted as wrong BEFORE the slow check
   * and forgiven after it when right, in one transaction with the waiting
   * check: closing the tab mid-check, or racing attempts from several tabs,
   * gains no free guesses.
   */
  async unlock(pin: string): Promise<UnlockResult> {
    if (!this.#enabled) return { ok: true };
    const now = this.#now();
    let refused: number | undefined;
    let counted: LockRecord | undefined;
    await this.#update((current) => {
      if (current === undefined) return undefined;
      if (now < current.blockedUntil) {
        // A clock set back must not lock out for longer than the longest wait.
        const blockedUntil = Math.min(current.blockedUntil, now + MAX_WAIT_MS);
        refused = blockedUntil - now;
        return blockedUntil === current.blockedUntil ? undefined : { ...current, blockedUntil };
      }
      const failures = current.failures + 1;
      counted = { ...current, failures, blockedUntil: failures > FREE_ATTEMPTS ? now + waitAfter(failures) : 0 };
      return counted;
    });
    if (refused !== undefined) return { ok: false, retryAfterMs: refused };
    if (counted === undefined) {
      this.#enabled = false; // removed meanwhile, in another tab
      return { ok: true };
    }
    const right =
      /^[0-9]{4,12}$/.test(pin) && sameBytes(await derive(pin, counted.salt, counted.iterations), counted.verifier);
    if (!right) return { ok: false, retryAfterMs: Math.max(0, counted.blockedUntil - now) };
    await this.#update((current) => current && { ...current, failures: 0, blockedUntil: 0 });
    return { ok: true };
  }

  close(): void {
    this.#db.close();
  }

  /**
   * Reads the record and writes what `change` makes of it (null deletes,
   * undefined leaves it) in one readwrite transaction; `change` runs inside
   * it and must not await anything else, or IndexedDB commits early.
   */
  async #update(change: (current: LockRecord | undefined) => LockRecord | null | undefined): Promise<void> {
    const tx = this.#db.transaction(STORE, "readwrite");
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onabort = () => reject(tx.error ?? new Error("transaction aborted"));
    });
    const store = tx.objectStore(STORE);
    try {
      const next = change(await request<LockRecord | undefined>(store.get(KEY)));
      if (next === null) store.delete(KEY);
      else if (next !== undefined) store.put(next, KEY);
    } catch (error) {
      tx.abort();
      await done.catch(() => undefined);
      throw error;
    }
    await done;
  }
}

function checkPin(pin: string): void {
  if (!/^[0-9]{4,12}$/.test(pin)) throw new LockError("pin_invalid");
}

/** 30 s after the 5th wrong attempt, doubling with each further one, an hour at most. */
function waitAfter(failures: number): number {
  return Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** Math.min(20, failures - FREE_ATTEMPTS - 1));
}

async function derive(pin: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(pin), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: salt as Uint8Array<ArrayBuffer>, iterations },
    material,
    256,
  );
  return new Uint8Array(bits);
}

/** Compares without an early exit, so the time taken does not tell how many bytes matched. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

function openDatabase(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open(name, 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore(STORE);
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error ?? new Error(`cannot open ${name}`));
  });
}

function request<T>(req: IDBRequest): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result as T);
    req.onerror = () => reject(req.error ?? new Error("request failed"));
  });
}

/**
 * Wakes the connection that holds a mailbox when an entry for it has been
 * stored. The store stays the source of truth: a lost wake only delays a
 * push until the socket's next store read (see CatchUp).
 */
import type { QueuedEntry } from "../store/ServerStore.js";

export type BusEvent =
  /** An entry stored by this node, with its payload: pushed without a read, here and (if small) on other nodes. */
  | { kind: "entry"; entry: QueuedEntry }
  /**
   * An entry stored by another node. A small one comes whole and is pushed
   * without a read; otherwise only its seq came, and the payload is read
   * from the store.
   */
  | { kind: "wake"; seq: number; entry?: QueuedEntry }
  /** One-time packages ran low, or the last-resort package was handed out and should be replaced. */
  | { kind: "keyPackagesLow"; remaining: number; lastResortHandedOut: boolean }
  /** The device was revoked: its sockets close at once with device_revoked. */
  | { kind: "revoked" }
  /** A session of the device ended (logout): the sockets it authenticated close with unauthenticated. */
  | { kind: "sessionEnded"; session: string }
  /** The organisation's log grew to seq: every socket of the organisation is told. */
  | { kind: "organisationChanged"; seq: number };

export type WakeHandler = (event: BusEvent) => void;

/** Bus keys: a mailbox's entries, a device's notices, and an organisation's log. */
export const mailboxKey = (mailboxIdHex: string) => `m.${mailboxIdHex}`;
export const isMailboxKey = (key: string) => key.startsWith("m.");
export const deviceKey = (deviceIdHex: string) => `d.${deviceIdHex}`;
/**
 * Names a session on the bus: the first 8 bytes of its token hash, in hex.
 * Among one device's sessions that is unique; the token cannot be derived from it.
 */
export const sessionTag = (tokenHashHex: string) => tokenHashHex.slice(0, 16);
export const organisationBusKey = (orgIdHex: string) => `o.${orgIdHex}`;

export interface Bus {
  /** An entry is published only after it is durably stored. */
  publish(key: string, event: BusEvent): void;
  subscribe(key: string, handler: WakeHandler): () => void;
  /** Whether a connection on this node listens on the key (a device with a receiving socket here needs no push). */
  listening(key: string): boolean;
  /**
   * Tells the handler when wakes from other nodes stop arriving (false) and
   * when they arrive again (true); a bus within one process never changes.
   */
  onConnectionChange(handler: (connected: boolean) => void): () => void;
  /** Whether wakes from other nodes arrive now. */
  connected(): boolean;
  /** Whether the bus reaches its peers now (for /readyz); absent on a bus that is always there. */
  probe?(): Promise<boolean>;
  close(): Promise<void>;
}

/** The embedded bus: one process, so the entry itself travels and the push needs no read. */
export class LocalBus implements Bus {
  /** Most keys (a mailbox, a device) have one socket listening: it is kept without a Set around it. */
  private readonly handlers = new Map<string, WakeHandler | Set<WakeHandler>>();

  publish(key: string, event: BusEvent): void {
    const found = this.handlers.get(key);
    if (found === undefined) return;
    if (typeof found === "function") return found(event);
    for (const handler of found) handler(event);
  }

  subscribe(key: string, handler: WakeHandler): () => void {
    const found = this.handlers.get(key);
    if (found === undefined) this.handlers.set(key, handler);
    else if (typeof found === "function") this.handlers.set(key, new Set([found, handler]));
    else found.add(handler);
    return () => {
      const now = this.handlers.get(key);
      if (now === handler) this.handlers.delete(key);
      else if (typeof now === "object") {
        now.delete(handler);
        if (now.size === 0) this.handlers.delete(key);
      }
    };
  }

  listening(key: string): boolean {
    return this.handlers.has(key);
  }

  onConnectionChange(): () => void {
    return () => undefined;
  }

  connected(): boolean {
    return true;
  }

  close(): Promise<void> {
    this.handlers.clear();
    return Promise.resolve();
  }
}

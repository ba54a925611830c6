/**
 * The distributed bus: several stateless nodes share one PostgreSQL database
 * and wake each other through NATS core subjects. NATS carries only a wake
 * (an entry's seq, a key package count, a revocation, an ended session's tag, a log position), never a
 * payload: PostgreSQL stays the
 * source of truth, and a lost wake only delays a push until the socket's next
 * store read (see CatchUp, told of every drop and return of the connection).
 * Subscribers on the publishing node get the full event directly.
 */
import { connect, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { randomBytes } from "node:crypto";
import { missingCase } from "@bote/protocol";
import { LocalBus, type Bus, type BusEvent, type WakeHandler } from "./Bus.js";

const ENTRY = 1;
const KEY_PACKAGES_LOW = 2;
const REVOKED = 3;
const ORGANISATION_CHANGED = 4;
const SESSION_ENDED = 5;
const NODE_ID_BYTES = 8;

export class NatsBus implements Bus {
  private readonly local = new LocalBus();
  private readonly remote = new Map<string, Subscription>();
  /** Lets a node skip its own wakes: it has already handed the full event to its subscribers. */
  private readonly nodeId = new Uint8Array(randomBytes(NODE_ID_BYTES));
  private readonly watchers = new Set<(connected: boolean) => void>();
  private isConnected = true;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
  ) {
    // The status stream ends when the connection closes; it has nothing else to report.
    this.watchStatus().catch(() => undefined);
  }

  /** prefix separates installations (and test runs) on one NATS server. */
  static async connect(url: string, prefix = "bote"): Promise<NatsBus> {
    const nc = await connect({ servers: url, name: "bote-server", maxReconnectAttempts: -1 });
    return new NatsBus(nc, prefix);
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === "disconnect") this.setConnected(false);
      if (status.type === "reconnect") {
        // The client has sent its subscriptions again; once the server answers a ping it holds them,
        // so a store read that starts after this misses no entry whose wake would have been lost.
        const flushed = await this.nc.flush().then(
          () => true,
          () => false,
        );
        if (flushed && !this.nc.isClosed()) this.setConnected(true);
      }
    }
  }

  private setConnected(connected: boolean): void {
    if (this.isConnected === connected) return;
    this.isConnected = connected;
    for (const watcher of this.watchers) watcher(connected);
  }

  onConnectionChange(handler: (connected: boolean) => void): () => void {
    this.watchers.add(handler);
    return () => this.watchers.delete(handler);
  }

  connected(): boolean {
    return this.isConnected;
  }

  /** A round trip to the NATS server: while it reconnects, this waits (and the caller's timeout decides). */
  async probe(): Promise<boolean> {
    if (this.nc.isClosed()) return false;
    await this.nc.flush();
    return true;
  }

  publish(key: string, event: BusEvent): void {
    this.local.publish(key, event);
    const message = new Uint8Array(NODE_ID_BYTES + 9);
    message.set(this.nodeId);
    const view = new DataView(message.buffer);
    switch (event.kind) {
      case "entry":
        message[NODE_ID_BYTES] = ENTRY;
        view.setBigUint64(NODE_ID_BYTES + 1, BigInt(event.entry.seq));
        break;
      case "keyPackagesLow":
        message[NODE_ID_BYTES] = KEY_PACKAGES_LOW;
        // The flag rides above the count's 32 bits (a stock is at most MAX_KEY_PACKAGES_PER_DEVICE).
        view.setBigUint64(NODE_ID_BYTES + 1, BigInt(event.remaining) | (event.lastResortHandedOut ? 1n << 32n : 0n));
        break;
      case "revoked":
        message[NODE_ID_BYTES] = REVOKED;
        break;
      case "sessionEnded":
        message[NODE_ID_BYTES] = SESSION_ENDED;
        message.set(Buffer.from(event.session, "hex").subarray(0, 8), NODE_ID_BYTES + 1);
        break;
      case "organisationChanged":
        message[NODE_ID_BYTES] = ORGANISATION_CHANGED;
        view.setBigUint64(NODE_ID_BYTES + 1, BigInt(event.seq));
        break;
      case "wake":
        return;
      default:
        return missingCase(event);
    }
    try {
      this.nc.publish(`${this.prefix}.${key}`, message);
    } catch {
      // Only a closed connection throws here: the entry is stored, and the catch-up reads it.
    }
  }

  subscribe(key: string, handler: WakeHandler): () => void {
    const unsubscribeLocal = this.local.subscribe(key, handler);
    if (!this.remote.has(key)) {
      const subscription = this.nc.subscribe(`${this.prefix}.${key}`, {
        callback: (error, message) => {
          if (error !== null) return;
          const event = this.decode(message.data);
          if (event !== undefined) this.local.publish(key, event);
        },
      });
      this.remote.set(key, subscription);
    }
    return () => {
      unsubscribeLocal();
      if (!this.local.listening(key)) {
        this.remote.get(key)?.unsubscribe();
        this.remote.delete(key);
      }
    };
  }

  listening(key: string): boolean {
    return this.local.listening(key);
  }

  private decode(data: Uint8Array): BusEvent | undefined {
    if (data.length !== NODE_ID_BYTES + 9) return undefined;
    if (data.subarray(0, NODE_ID_BYTES).every((b, i) => b === this.nodeId[i])) return undefined;
    const value = Number(new DataView(data.buffer, data.byteOffset, data.byteLength).getBigUint64(NODE_ID_BYTES + 1));
    switch (data[NODE_ID_BYTES] ?? 0) {
      case ENTRY:
        return { kind: "wake", seq: value };
      case KEY_PACKAGES_LOW:
        return { kind: "keyPackagesLow", remaining: value % 2 ** 32, lastResortHandedOut: value >= 2 ** 32 };
      case REVOKED:
        return { kind: "revoked" };
      case ORGANISATION_CHANGED:
        return { kind: "organisationChanged", seq: value };
      case SESSION_ENDED:
        return { kind: "sessionEnded", session: Buffer.from(data.subarray(NODE_ID_BYTES + 1)).toString("hex") };
      default:
        return undefined;
    }
  }

  async close(): Promise<void> {
    await this.local.close();
    this.remote.clear();
    this.watchers.clear();
    if (this.nc.isClosed()) return;
    await this.nc.drain();
  }
}

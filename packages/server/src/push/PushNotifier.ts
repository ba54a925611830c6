/**
 * Decides when a device gets a push: after an entry for one of its
 * mailboxes is stored, unless a receiving socket of it is open on this node
 * (the socket delivers), at most once per coalescing window, with one more
 * push at the window's end for entries stored during it. Nothing it logs
 * names a device, mailbox or endpoint.
 */
import type { Logger } from "pino";
import type { Bus } from "../relay/Bus.js";
import type { Bytes, ServerStore } from "../store/ServerStore.js";
import type { PushSender } from "./WebPushSender.js";

export interface PushNotifierDeps {
  store: ServerStore;
  bus: Bus;
  sender: PushSender;
  log: Logger;
  coalesceMs: number;
}

interface Window {
  again: boolean;
  timer: NodeJS.Timeout;
}

export class PushNotifier {
  /** By mailbox bus key: the windows open now. */
  private readonly windows = new Map<string, Window>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly deps: PushNotifierDeps) {}

  /** An entry for the mailbox was stored (and published on the bus under `key`). */
  entryStored(key: string, mailboxId: Bytes): void {
    if (this.closed || this.deps.bus.listening(key)) return;
    const open = this.windows.get(key);
    if (open !== undefined) {
      open.again = true;
      return;
    }
    const window: Window = {
      again: false,
      timer: setTimeout(() => {
        this.windows.delete(key);
        if (window.again) this.entryStored(key, mailboxId);
      }, this.deps.coalesceMs),
    };
    window.timer.unref();
    this.windows.set(key, window);
    const push = this.push(mailboxId).finally(() => this.inFlight.delete(push));
    this.inFlight.add(push);
  }

  private async push(mailboxId: Bytes): Promise<void> {
    try {
      const subscription = await this.deps.store.pushSubscriptionOfMailbox(mailboxId);
      if (subscription === undefined) return;
      const outcome = await this.deps.sender.send(subscription);
      if (outcome === "gone")
        await this.deps.store.deletePushSubscription(subscription.deviceId, subscription.endpoint);
      this.deps.log.debug({ outcome }, "push");
    } catch (error) {
      // The error's text could carry the endpoint: only its kind is logged.
      const cause = (error as { cause?: { code?: unknown } }).cause?.code;
      this.deps.log.warn({ reason: typeof cause === "string" ? cause : (error as Error).name }, "push failed");
    }
  }

  /** Stops pushing and waits for the pushes under way. */
  async close(): Promise<void> {
    this.closed = true;
    for (const window of this.windows.values()) clearTimeout(window.timer);
    this.windows.clear();
    await Promise.all(this.inFlight);
  }
}

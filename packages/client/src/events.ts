import type { ContactRecord, ConversationRecord, MessageRecord } from "@bote/core";
import type { ConnectionState } from "./RelayConnection.js";

/** Something the UI should know about; every payload is already stored when the event fires. */
export interface ClientEvents {
  /** A new or changed message (incoming, sent, edited, deleted, receipt). */
  message: MessageRecord;
  conversation: ConversationRecord;
  /** Forgotten on this device with its messages (an inquiry past its contact point's retention). */
  conversationDeleted: { conversationId: string };
  /** Messages past their disappearing timer, deleted on this device with their reactions and waiting files. */
  messagesExpired: { conversationId: string; messageIds: readonly string[] };
  /**
   * A contact appeared or shows a device key not seen before (shown, never
   * silently accepted). `newDevice`: the same person's new device, vouched
   * for by their account key — a calm notice. `keyChanged`: another account
   * key than the one accepted for this person — a warning.
   */
  contact: { contact: ContactRecord; newDevice: boolean; keyChanged: boolean };
  /**
   * The organisation deactivated this device or its account: it can no
   * longer connect. `wipe`: the policy asks for its local data to go, and
   * the SDK is deleting it (a `wiped` event follows).
   */
  deactivated: { reason: "account" | "device"; wipe: boolean };
  /** This device's local data is deleted (OpenOptions.wipe ran); the client is closed. */
  wiped: { reason: "account" | "device" };
  /** The organisation's member list or trust state changed (after a sync of its signed log). */
  organisation: { seq: number };
  connection: ConnectionState;
  /** A file waiting in the store is being uploaded: ciphertext bytes handed to the upload so far. */
  upload: { messageId: string; conversationId: string; done: number; total: number };
  /** An envelope that could not be used; it is acknowledged so it does not block the mailbox. */
  dropped: { reason: DropReason; conversationId: string | undefined };
  /**
   * A background step (outbox flush, key package top-up) failed; it is retried later. `code` is a
   * client code, a server code from docs/errors.md, or "internal". `messageId`: the message a refused
   * send left failed, so a screen can say why beside it.
   */
  problem: { code: string; detail: string; messageId?: string };
}

export type DropReason =
  | "unpadded"
  | "malformed"
  | "unknown_conversation"
  | "old_epoch"
  | "future_epoch"
  | "not_for_this_device"
  | "undecryptable"
  | "untrusted_sender"
  | "unsupported_content"
  | "duplicate";

type Handler<T> = (payload: T) => void;

export class Emitter {
  private readonly handlers = new Map<keyof ClientEvents, Set<Handler<never>>>();

  on<K extends keyof ClientEvents>(event: K, handler: Handler<ClientEvents[K]>): () => void {
    let set = this.handlers.get(event);
    if (set === undefined) this.handlers.set(event, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  emit<K extends keyof ClientEvents>(event: K, payload: ClientEvents[K]): void {
    for (const handler of this.handlers.get(event) ?? []) {
      // A failing UI handler must not break message processing.
      try {
        (handler as Handler<ClientEvents[K]>)(payload);
      } catch {
        /* the handler's own problem */
      }
    }
  }
}

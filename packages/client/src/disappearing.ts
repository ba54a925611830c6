// Disappearing messages (docs/PROTOCOL.md §21): a chat's timer is a
// DisappearingTimer content that any member sends; each text or file sent
// under it carries the timer (Content.expire_after_s), and every device
// deletes such a message by its own clock, so a device that missed the
// change still deletes what was sent under it. Nothing is sent at expiry.
import type { ConversationRecord, MessageRecord } from "@bote/core";
import { create } from "@bufbuild/protobuf";
import { DisappearingTimerSchema, MAX_DISAPPEARING_SECONDS } from "@bote/protocol";
import { ClientError } from "./clientError.js";
import { b64 } from "./ids.js";
import type { ClientContext } from "./context.js";
import { sendContent } from "./outgoing.js";
import { currentPolicy } from "./policy.js";
import { readContent } from "./records.js";

/**
 * How far ahead of this device's clock a sender's sent_at_ms is believed: a
 * sender whose clock runs ahead delays the deletion by at most this much, a
 * sender whose clock runs behind never makes it earlier than storing + timer.
 */
export const MAX_CLOCK_LEAD_MS = 5 * 60_000;

/** The longest the sweep waits between runs when nothing is due sooner. */
const MAX_SWEEP_WAIT_MS = 3_600_000;

/**
 * The timer a new chat starts with, in seconds (0: off). One place on
 * purpose: the organisation's default (a signed policy) is read here.
 */
export function initialDisappearingSeconds(ctx: ClientContext): number {
  return currentPolicy(ctx).disappearingSeconds;
}

/** The seconds a message disappears after, if it was sent under a timer. */
export function expireAfterOf(message: MessageRecord): number | undefined {
  if (message.kind !== "content") return undefined;
  return readContent(message)?.expireAfterS;
}

/**
 * When this device deletes a message sent under a timer of `seconds`: that
 * long after it stored the message, but never before the sender's clock
 * says it was sent plus the timer (believed at most MAX_CLOCK_LEAD_MS
 * ahead of this device's), so devices agree within their clocks' skew.
 */
export function expiresAt(message: Pick<MessageRecord, "sentAt" | "storedAt">, seconds: number): number {
  const start = Math.max(message.storedAt, Math.min(message.sentAt, message.storedAt + MAX_CLOCK_LEAD_MS));
  return start + seconds * 1000;
}

/** Checks a timer a caller passed: 0 (off) or 1 second to a year, whole seconds. */
function checkSeconds(seconds: number): void {
  if (!Number.isSafeInteger(seconds) || seconds < 0 || seconds > MAX_DISAPPEARING_SECONDS) {
    throw new ClientError("disappearing_timer_invalid", String(seconds));
  }
}

/**
 * Sets a chat's timer for every member: sent end to end, stored here as a
 * line of the chat, and the conversation record takes it at once.
 */
export async function setDisappearingTimer(
  ctx: ClientContext,
  conversationId: string,
  seconds: number,
): Promise<MessageRecord | undefined> {
  checkSeconds(seconds);
  const record = await ctx.store.getConversation(conversationId);
  if (record === undefined) throw new ClientError("contact_unknown", conversationId);
  if (record.kind !== "direct" && record.kind !== "group") throw new ClientError("disappearing_not_here", record.kind);
  const value = create(DisappearingTimerSchema, { seconds });
  const line = await sendContent(ctx, conversationId, { case: "disappearingTimer", value });
  // The record took the timer with the send; a UI following events learns it here.
  const changed = await ctx.store.getConversation(conversationId);
  if (changed !== undefined) ctx.events.emit("conversation", changed);
  return line;
}

/** A record with its timer set; 0 is kept as 0 so the chat shows "off" once someone turned it off. */
export function withTimer(record: ConversationRecord, seconds: number): ConversationRecord {
  return { ...record, disappearingSeconds: seconds };
}

export interface Expired {
  readonly conversationId: string;
  readonly messageIds: readonly string[];
}

/**
 * Deletes every message past its timer at `now`, with the reactions to it
 * and a file still waiting for its upload; returns what went, by chat, and
 * when the next message is due (undefined: none is waiting). Runs in the
 * serial queue, so a message stored meanwhile is either seen or comes after.
 */
export async function sweepExpired(ctx: ClientContext, now: number): Promise<{ gone: Expired[]; next?: number }> {
  const result = await ctx.serial.run(async () => {
    const gone: Expired[] = [];
    const messagesDelete: string[] = [];
    let next: number | undefined;
    for (const conversation of await ctx.store.listConversations()) {
      const messages = await ctx.store.listMessages(conversation.conversationId);
      const expired = new Set<string>();
      for (const m of messages) {
        const seconds = expireAfterOf(m);
        if (seconds === undefined) continue;
        const at = expiresAt(m, seconds);
        if (at <= now) expired.add(m.messageId);
        else next = Math.min(next ?? at, at);
      }
      if (expired.size === 0) continue;
      for (const m of messages) {
        const body = readContent(m)?.body;
        if (body?.case === "reaction" && expired.has(b64(body.value.targetMessageId))) expired.add(m.messageId);
      }
      messagesDelete.push(...expired);
      gone.push({ conversationId: conversation.conversationId, messageIds: [...expired] });
    }
    if (messagesDelete.length > 0) await ctx.store.apply({ messagesDelete, uploadsDelete: messagesDelete });
    return { gone, ...(next === undefined ? {} : { next }) };
  });
  for (const expired of result.gone) ctx.events.emit("messagesExpired", expired);
  return result;
}

/**
 * Runs the sweep while the client runs: at start, then whenever the next
 * message is due (at most an hour apart), and soon after a message with a
 * timer arrives or is sent. Uses the platform's timers; `stop` ends it.
 */
export class DisappearingSweeper {
  // The platform's timer handle (a number in browsers, an object in Node): unknown to the SDK.
  #timer: unknown;
  #dueAt: number | undefined;
  #stopped = false;

  constructor(
    private readonly ctx: ClientContext,
    private readonly run: (task: () => Promise<unknown>) => void,
  ) {}

  start(): void {
    this.#schedule(this.ctx.now());
  }

  /** A message arrived or was sent: if it carries a timer, the sweep runs when it is due. */
  noteMessage(message: MessageRecord): void {
    const seconds = expireAfterOf(message);
    if (seconds !== undefined) this.#schedule(expiresAt(message, seconds));
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(at: number): void {
    if (this.#stopped || (this.#dueAt !== undefined && this.#dueAt <= at)) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#dueAt = at;
    const wait = Math.min(Math.max(0, at - this.ctx.now()), MAX_SWEEP_WAIT_MS);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#dueAt = undefined;
      this.run(async () => {
        const { next } = await sweepExpired(this.ctx, this.ctx.now());
        this.#schedule(next ?? this.ctx.now() + MAX_SWEEP_WAIT_MS);
      });
    }, wait);
    // In Node, a waiting sweep alone does not keep a process alive (a script that forgot close() still ends).
    (this.#timer as { unref?: () => void }).unref?.();
  }
}

import type { StoreChanges, UploadRecord } from "@bote/core";
import { ClientError } from "./clientError.js";
import type { ClientContext } from "./context.js";

/**
 * The chat lines of this device that wait in the store's uploads, not yet
 * encrypted: files waiting for their upload, and the texts and files written
 * after one of them in the same chat, held so they leave in the order they
 * were written. Read from the store once per client and kept beside it here,
 * so a text sent does not read every waiting ciphertext to learn whether its
 * chat has one. Every write of an upload record goes through `applyWaiting`.
 */
/**
 * What the files waiting for their upload may hold in the store together, by
 * default: a phone's photos and documents of a day offline, while a tab (or
 * IndexedDB on a small phone) is not pushed to its limits by them.
 */
export const QUEUE_LIMIT_BYTES = 200 * 1024 * 1024;

interface WaitingState {
  readonly lines: Promise<Map<string, { readonly conversationId: string; readonly bytes: number }>>;
  /** The drain in progress (sendUploads), and whether lines were added to it meanwhile. */
  drain: Promise<void> | undefined;
  again: boolean;
}

const states = new WeakMap<ClientContext, WaitingState>();

export function waitingState(ctx: ClientContext): WaitingState {
  let state = states.get(ctx);
  if (state === undefined) {
    const lines = ctx.store
      .listUploads()
      .then(
        (all) =>
          new Map(all.map((u) => [u.messageId, { conversationId: u.conversationId, bytes: u.ciphertext.length }])),
      );
    state = { lines, drain: undefined, again: false };
    states.set(ctx, state);
  }
  return state;
}

/** Whether a line of this chat waits: a new line of the chat then waits behind it. */
export async function chatHasWaiting(ctx: ClientContext, conversationId: string): Promise<boolean> {
  for (const line of (await waitingState(ctx).lines).values()) if (line.conversationId === conversationId) return true;
  return false;
}

export async function isWaitingLine(ctx: ClientContext, messageId: string): Promise<boolean> {
  return (await waitingState(ctx).lines).has(messageId);
}

/** The bytes all waiting lines hold in the store (the ciphertexts of the waiting files). */
export async function waitingBytes(ctx: ClientContext): Promise<number> {
  let total = 0;
  for (const line of (await waitingState(ctx).lines).values()) total += line.bytes;
  return total;
}

/**
 * Refuses a file of `bytes` (its ciphertext) that the queue cannot take: one
 * larger than the whole cap is too large to queue (file_too_large), one that
 * does not fit beside the waiting ones has to wait until they left
 * (queue_full).
 */
export async function checkQueueRoom(ctx: ClientContext, bytes: number): Promise<void> {
  const limit = ctx.queueLimitBytes;
  if (bytes > limit) throw new ClientError("file_too_large", `${bytes} bytes; a queued file holds at most ${limit}`);
  const waiting = await waitingBytes(ctx);
  if (waiting + bytes > limit) {
    throw new ClientError("queue_full", `${waiting} bytes wait; ${bytes} more would pass the cap of ${limit}`);
  }
}

/** Applies a batch that puts or deletes upload records, and follows it here once it is stored. */
export async function applyWaiting(ctx: ClientContext, changes: StoreChanges): Promise<void> {
  const lines = await waitingState(ctx).lines;
  await ctx.store.apply(changes);
  for (const u of changes.uploadsPut ?? [])
    lines.set(u.messageId, { conversationId: u.conversationId, bytes: size(u) });
  for (const id of changes.uploadsDelete ?? []) lines.delete(id);
}

function size(upload: UploadRecord): number {
  return upload.ciphertext.length;
}

/** A line was added while the drain runs: it goes on after its current pass instead of stopping. */
export function drainAgain(ctx: ClientContext): void {
  const state = waitingState(ctx);
  if (state.drain !== undefined) state.again = true;
}

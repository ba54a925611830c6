/**
 * Web Push (RFC 8030, 8291, 8292) and the HTTP way to the mailbox that a
 * device woken by a push takes: it has no socket, so it fetches and
 * acknowledges its entries over HTTP. The push itself carries only
 * PUSH_PAYLOAD: "something arrived", never what or from whom.
 */
import { z } from "zod";
import { base64urlBytes } from "./api.js";
import { MAX_ACKS_PER_FRAME } from "./limits.js";

/** The one payload every push carries (encrypted for the subscription all the same). */
export const PUSH_PAYLOAD = '{"v":1}';
/** RFC 8030 Topic: a newer push replaces an undelivered one at the push service. */
export const PUSH_TOPIC = "bote";
/** Push service URLs are a few hundred characters; more is not a subscription. */
export const MAX_PUSH_ENDPOINT_CHARS = 1024;
/** Entries one GET /v1/entries answers with at most. */
export const MAX_ENTRIES_PER_FETCH = 256;

export const pushSubscriptionRequest = z.strictObject({
  endpoint: z.url({ protocol: /^https?$/ }).max(MAX_PUSH_ENDPOINT_CHARS),
  keys: z.strictObject({
    /** The browser's P-256 public key, uncompressed (RFC 8291 §3.1). */
    p256dh: base64urlBytes(65),
    /** The authentication secret (RFC 8291 §3.2). */
    auth: base64urlBytes(16),
  }),
});

export const fetchEntriesQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_ENTRIES_PER_FETCH).default(64),
});

export const ackEntriesRequest = z.strictObject({
  entryIds: z.array(z.number().int().min(1).max(Number.MAX_SAFE_INTEGER)).min(1).max(MAX_ACKS_PER_FRAME),
});

export type PushSubscriptionRequest = z.infer<typeof pushSubscriptionRequest>;
export type AckEntriesRequest = z.infer<typeof ackEntriesRequest>;

export interface PushKeyResponse {
  /** The server's VAPID public key (P-256, uncompressed, 65 bytes): PushManager's applicationServerKey. */
  publicKey: string;
}

export interface FetchedEntry {
  entryId: number;
  mailboxId: string;
  /** Padded, as in a Deliver frame. */
  payload: string;
}

export interface FetchEntriesResponse {
  entries: FetchedEntry[];
  /** More entries wait than this answer holds: fetch again after acknowledging these. */
  more: boolean;
}

/**
 * Web Push (RFC 8030, 8291, 8292) and the HTTP way to the mailbox that a
 * device woken by a push takes: it has no socket, so it fetches and
 * acknowledges its entries over HTTP. The push itself carries only
 * PUSH_PAYLOAD: "something arrived", never what or from whom.
 */

/** The one payload every push carries (encrypted for the subscription all the same). */
export const PUSH_PAYLOAD = '{"v":1}';
/** RFC 8030 Topic: a newer push replaces an undelivered one at the push service. */
export const PUSH_TOPIC = "bote";
/** Push service URLs are a few hundred characters; more is not a subscription. */
export const MAX_PUSH_ENDPOINT_CHARS = 1024;
/** Entries one GET /v1/entries answers with at most. */
export const MAX_ENTRIES_PER_FETCH = 256;

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

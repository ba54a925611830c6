/**
 * The data protection side of the HTTP API (docs/PROTOCOL.md §22): the
 * export of everything the server holds about one person (Art. 15 and 20
 * GDPR), its erasure (Art. 17), and the documents generated from the
 * running server's configuration.
 */

/** The documents a server generates; `info` (Art. 13) is public, the others are for admins. */
export const PRIVACY_DOCUMENTS = ["info", "record", "toms", "dpia", "processor"] as const;
export type PrivacyDocument = (typeof PRIVACY_DOCUMENTS)[number];

/** A table cell as exported: bytes as unpadded base64url, numbers, text and booleans as they are. */
export type PersonCell = string | number | boolean | null;

/** GET /v1/admin/persons/{accountId}: every server-side row that names the person. */
export interface PersonExportResponse {
  format: "bote-person-export-v1";
  exportedAt: string;
  organisation: { id: string; name: string };
  accountId: string;
  /**
   * By table: every row that names the person's account id, one of their
   * device ids or mailbox ids, in full (the organisation log's statements
   * with them, contact points that list them as staff).
   */
  rows: Record<string, Record<string, PersonCell>[]>;
  /**
   * By table: rows only counted, because what they hold is not the
   * person's to read on the server: sealed queue entries for their
   * mailboxes (end-to-end ciphertext from others) and their key packages.
   */
  counts: Record<string, number>;
}

/** POST /v1/admin/persons/{accountId}/erase. */
export interface PersonErasureResponse {
  /** Rows deleted, by table. */
  deleted: Record<string, number>;
  /** Statements of the organisation log replaced by their tombstone. */
  tombstoned: number;
}

/** GET /v1/admin/privacy/{document} and GET /v1/privacy/info. */
export interface PrivacyDocumentResponse {
  document: PrivacyDocument;
  language: "de" | "en";
  title: string;
  /** The document as Markdown. */
  markdown: string;
}

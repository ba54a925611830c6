/**
 * Search over the messages on this device. There is no separate index: the
 * store is the index, so nothing about what was searched or found is kept,
 * and what is stored stays sealed the way the store seals it. Texts,
 * captions and file names match; a query matches when every word of it is
 * in the message, regardless of case and accents ("uber" finds "Über").
 */
import type { ClientStore, ConversationRecord, MessageRecord } from "@bote/core";
import { decodeContent } from "@bote/protocol";

export interface SearchHit {
  readonly conversationId: string;
  readonly conversationName: string;
  readonly messageId: string;
  readonly senderName: string;
  readonly direction: MessageRecord["direction"];
  readonly sentAt: number;
  /** The searched text around the first match, cut at word boundaries, with "…" where it was cut. */
  readonly snippet: string;
  /** Where the words matched within the snippet, [start, end) in UTF-16 code units, for highlighting. */
  readonly matches: readonly (readonly [number, number])[];
}

export interface SearchOptions {
  /** At most this many hits, newest first (default 50). */
  readonly limit?: number;
  /** Characters of context on each side of the first match (default 40). */
  readonly context?: number;
}

/** Lower case without accents; the same length as the input, so positions carry over. */
function fold(text: string): string {
  let out = "";
  for (const ch of text) {
    const base = ch.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
    // A letter whose folding changes its length (İ) stays as it is, so positions carry over.
    out += base.length === ch.length ? base : ch;
  }
  return out;
}

/** The words of a query, folded; empty when there is nothing to search for. */
export function searchWords(query: string): string[] {
  return fold(query.normalize("NFC"))
    .split(/\s+/u)
    .filter((w) => w !== "");
}

/** What a message offers to search: its text, or an attachment's caption and file name. */
export function searchableText(message: MessageRecord): string | undefined {
  if (message.kind !== "content" || message.deleted) return undefined;
  let content;
  try {
    content = decodeContent(message.body);
  } catch {
    return undefined;
  }
  const body = content.body;
  if (body.case === "text") return body.value.text;
  if (body.case === "attachment") return [body.value.caption, body.value.fileName].filter((x) => x !== "").join(" · ");
  // Reactions, receipts, edits and the like are not messages one looks for.
  return undefined;
}

function snippetOf(text: string, folded: string, words: string[], context: number) {
  const first = Math.min(...words.map((w) => folded.indexOf(w)));
  let start = Math.max(0, first - context);
  let end = Math.min(text.length, first + (words[0]?.length ?? 0) + context);
  // Cut at spaces, not inside words, when there is one close by.
  if (start > 0) {
    const space = text.indexOf(" ", start);
    if (space !== -1 && space < first) start = space + 1;
  }
  if (end < text.length) {
    const space = text.lastIndexOf(" ", end);
    if (space > first) end = space;
  }
  const prefix = start > 0 ? "…" : "";
  const snippet = `${prefix}${text.slice(start, end).replace(/\s+/gu, " ")}${end < text.length ? "…" : ""}`;
  const foldedSnippet = fold(snippet);
  const matches: [number, number][] = [];
  for (const w of words) {
    for (let at = foldedSnippet.indexOf(w); at !== -1; at = foldedSnippet.indexOf(w, at + w.length)) {
      matches.push([at, at + w.length]);
    }
  }
  matches.sort((a, b) => a[0] - b[0]);
  return { snippet, matches };
}

/** Hits for the query across every chat on the device, newest first. */
export async function searchMessages(
  store: ClientStore,
  query: string,
  options: SearchOptions = {},
): Promise<SearchHit[]> {
  const words = searchWords(query);
  if (words.length === 0) return [];
  const limit = options.limit ?? 50;
  const context = options.context ?? 40;
  const hits: SearchHit[] = [];
  const conversations: ConversationRecord[] = await store.listConversations();
  for (const conversation of conversations) {
    for (const message of await store.listMessages(conversation.conversationId)) {
      const text = searchableText(message);
      if (text === undefined) continue;
      const folded = fold(text);
      if (!words.every((w) => folded.includes(w))) continue;
      hits.push({
        conversationId: conversation.conversationId,
        conversationName: conversation.name,
        messageId: message.messageId,
        senderName: message.senderName,
        direction: message.direction,
        sentAt: message.sentAt,
        ...snippetOf(text, folded, words, context),
      });
    }
  }
  hits.sort((a, b) => b.sentAt - a.sentAt);
  return hits.slice(0, limit);
}

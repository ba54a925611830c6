/**
 * The chat list's search: chat names here, message hits from the SDK's
 * search over the store (texts, captions, file names). Searches run one
 * after another as the person types; a result arrives only if no newer
 * search was started meanwhile, so an older answer never replaces a newer one.
 */
import { signal } from "@preact/signals";
import type { SearchHit } from "@bote/client";
import { focusedMessage, navigate } from "./route.js";
import { requireClient } from "./session.js";
import { latestOnly } from "./latestOnly.js";

export const searchQuery = signal("");
/** Hits for `searchQuery`, newest first; undefined while none was answered yet for it. */
export const searchHits = signal<readonly SearchHit[] | undefined>(undefined);

const newest = latestOnly();

export async function search(query: string): Promise<void> {
  searchQuery.value = query;
  searchHits.value = undefined;
  if (query.trim() === "") return;
  const hits = await newest(() => requireClient().search(query, { limit: 50, context: 30 }));
  if (hits !== undefined) searchHits.value = hits;
}

export function openHit(hit: SearchHit): void {
  focusedMessage.value = { conversationId: hit.conversationId, messageId: hit.messageId };
  navigate({ screen: "chat", conversationId: hit.conversationId });
}

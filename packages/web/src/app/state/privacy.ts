/**
 * The data protection documents (docs/PROTOCOL.md §19), as the server
 * generates them from its configuration: everyone reads the Art. 13
 * information, admins the record, TOMs, DPIA and processor note as well.
 */
import { signal } from "@preact/signals";
import { PRIVACY_DOCUMENTS, type PrivacyDocument, type PrivacyDocumentResponse } from "@bote/protocol";
import type { Language } from "../i18n/i18n.js";
import { runAction } from "./actions.js";
import { requireClient } from "./session.js";

export const openDocument = signal<PrivacyDocumentResponse | undefined>(undefined);

/** What this person may open: all documents for an admin, the information otherwise. */
export function availableDocuments(role: "admin" | "member"): readonly PrivacyDocument[] {
  return role === "admin" ? PRIVACY_DOCUMENTS : ["info"];
}

export async function showPrivacyDocument(document: PrivacyDocument, lang: Language): Promise<void> {
  const doc = await runAction("privacy", () => requireClient().privacyDocument(document, lang));
  if (doc !== undefined) openDocument.value = doc;
}

/**
 * The Art. 13 information before anyone has an account: the join page reads
 * it from the server the invitation link names (the canonical origin).
 */
export async function fetchPrivacyInfo(serverUrl: string, lang: Language): Promise<PrivacyDocumentResponse> {
  const response = await fetch(`${new URL(serverUrl).origin}/v1/privacy/info?lang=${lang}`);
  if (!response.ok) throw new Error(`privacy information: HTTP ${response.status}`);
  return (await response.json()) as PrivacyDocumentResponse;
}

export function closePrivacyDocument(): void {
  openDocument.value = undefined;
}

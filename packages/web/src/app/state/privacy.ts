/**
 * The data protection documents (docs/PROTOCOL.md §22), as the server
 * generates them from its configuration: everyone reads the Art. 13
 * information, admins the record, TOMs, DPIA and processor note as well.
 */
import { signal } from "@preact/signals";
import { PRIVACY_DOCUMENTS, type PrivacyDocument, type PrivacyDocumentResponse } from "@bote/protocol/light";
import type { Language } from "../i18n/i18n.js";
import { t } from "../i18n/i18n.js";
import { runAction } from "./actions.js";
import { download } from "./administration.js";
import { requireClient, showToast } from "./session.js";

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

/** A person whose server-side data an admin can export, and once deactivated erase (Art. 15, 17, 20 GDPR). */
export interface PersonEntry {
  readonly accountId: string;
  readonly name: string;
  readonly deactivated: boolean;
}

export const people = signal<readonly PersonEntry[]>([]);

export async function loadPeople(): Promise<void> {
  const list = await runAction("privacy", async () => {
    const client = requireClient();
    const [members, former] = await Promise.all([client.organisationMembers(), client.formerMembers()]);
    return [
      ...members.map((m) => ({ accountId: m.member.accountId, name: m.displayName, deactivated: false })),
      ...former.map((m) => ({ accountId: m.accountId, name: m.displayName, deactivated: true })),
    ];
  });
  if (list !== undefined) people.value = list;
}

/** Downloads the JSON of every server-side row about the person. */
export async function exportPersonData(person: PersonEntry): Promise<void> {
  const exported = await runAction("privacy", () => requireClient().exportPerson(person.accountId));
  if (exported === undefined) return;
  const day = exported.exportedAt.slice(0, 10);
  download(`bote-daten-${person.accountId}-${day}.json`, JSON.stringify(exported, null, 2));
}

export async function erasePersonData(person: PersonEntry): Promise<boolean> {
  const done = await runAction("privacy", async () => {
    await requireClient().erasePerson(person.accountId);
    showToast(t("privacy.erased", { name: person.name }));
    return true;
  });
  if (done === true) await loadPeople();
  return done === true;
}

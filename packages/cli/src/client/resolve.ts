/** Finding the contact or chat a person means by a name on the command line. */
import { ClientError, type BoteClient, type InquirySummary } from "@bote/client";
import type { ConversationRecord } from "@bote/core";
import type { Member } from "@bote/protocol";

const same = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: "accent" }) === 0;

function one<T>(found: T[], what: string): T {
  if (found.length > 1) throw new ClientError("contact_ambiguous", what);
  const only = found[0];
  if (only === undefined) throw new ClientError("contact_unknown", what);
  return only;
}

/** Account id → name for everyone the organisation's log names, oneself included (staff lists, assignees). */
export async function memberNames(client: BoteClient): Promise<Map<string, string>> {
  return new Map((await client.organisationMembers()).map((d) => [d.member.accountId, d.displayName]));
}

/** `"Anna, Bernd"` → the names; none at all is an unknown contact. */
function splitNames(list: string): string[] {
  const names = list
    .split(",")
    .map((n) => n.trim())
    .filter((n) => n.length > 0);
  if (names.length === 0) throw new ClientError("contact_unknown", list);
  return names;
}

/** A colleague by account id or display name (case-insensitive). */
export async function resolveAccount(client: BoteClient, name: string): Promise<Member> {
  const directory = await client.directory();
  const byId = directory.filter((d) => d.member.accountId === name);
  if (byId.length === 1) return byId[0]!.member;
  return one(
    // The verified name from the organisation's certificate, not the server's word.
    directory.filter((d) => same(d.displayName, name)).map((d) => d.member),
    name,
  );
}

/**
 * Anyone in the organisation, oneself included, by account id or name: a contact point's staff, an
 * inquiry's assignee. ("me" is the caller's business; see inbox assign.)
 */
export async function resolveMember(client: BoteClient, name: string): Promise<Member> {
  const members = await client.organisationMembers();
  const byId = members.filter((d) => d.member.accountId === name);
  if (byId.length === 1) return byId[0]!.member;
  return one(
    members.filter((d) => same(d.displayName, name)).map((d) => d.member),
    name,
  );
}

/** A comma-separated list of members (`--staff "Anna,Bernd"`), each resolved before anything is changed. */
export async function resolveMembers(client: BoteClient, list: string): Promise<Member[]> {
  const names = splitNames(list);
  const out: Member[] = [];
  for (const name of names) out.push(await resolveMember(client, name));
  return out;
}

/**
 * An inquiry in the inbox by its conversation id or a prefix of it (the short id `bote inbox`
 * prints). A prefix that fits two is refused rather than guessed.
 */
export async function resolveInquiry(client: BoteClient, name: string): Promise<InquirySummary> {
  const inbox = await client.inbox();
  const exact = inbox.find((i) => i.conversationId === name);
  if (exact !== undefined) return exact;
  const found = name.length >= 4 ? inbox.filter((i) => i.conversationId.startsWith(name)) : [];
  if (found.length > 1) throw new ClientError("contact_ambiguous", name);
  const only = found[0];
  if (only === undefined) throw new ClientError("inquiry_unknown", name);
  return only;
}

export async function resolveAccounts(client: BoteClient, list: string): Promise<Member[]> {
  const names = splitNames(list);
  const out: Member[] = [];
  for (const name of names) out.push(await resolveAccount(client, name));
  return out;
}

/** A stored chat by id, group name or (for a direct chat) the other person's name. */
export async function findChat(client: BoteClient, name: string): Promise<ConversationRecord | undefined> {
  const chats = await client.listConversations();
  const byId = chats.find((c) => c.conversationId === name);
  if (byId !== undefined) return byId;
  const byName = chats.filter((c) => same(c.name, name) && (c.active || c.kind === "group"));
  const active = byName.filter((c) => c.active);
  return active.length > 0 ? one(active, name) : byName.length > 0 ? one(byName, name) : undefined;
}

export async function resolveChat(client: BoteClient, name: string): Promise<ConversationRecord> {
  const chat = await findChat(client, name);
  if (chat === undefined) throw new ClientError("contact_unknown", name);
  return chat;
}

/** Where `send --to` goes: an existing chat of that name, else a direct chat with that colleague. */
export async function resolveTarget(client: BoteClient, name: string): Promise<ConversationRecord> {
  return (await findChat(client, name)) ?? client.directChat((await resolveAccount(client, name)).accountId);
}

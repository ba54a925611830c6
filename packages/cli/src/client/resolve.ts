/** Finding the contact or chat a person means by a name on the command line. */
import { ClientError, type BoteClient } from "@bote/client";
import type { ConversationRecord } from "@bote/core";
import type { Member } from "@bote/protocol";

const same = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: "accent" }) === 0;

function one<T>(found: T[], what: string): T {
  if (found.length > 1) throw new ClientError("contact_ambiguous", what);
  const only = found[0];
  if (only === undefined) throw new ClientError("contact_unknown", what);
  return only;
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

export async function resolveAccounts(client: BoteClient, list: string): Promise<Member[]> {
  const names = list
    .split(",")
    .map((n) => n.trim())
    .filter((n) => n.length > 0);
  if (names.length === 0) throw new ClientError("contact_unknown", list);
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

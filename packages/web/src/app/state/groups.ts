/**
 * A chat's people: making a direct chat or a group, and a group's name and
 * members — renaming, adding, removing, leaving. Each is an action
 * (state/actions.ts); the SDK's conversation events bring the changes.
 */
import { signal } from "@preact/signals";
import { encodeBase64url } from "@bote/protocol/light";
import { runAction } from "./actions.js";
import { navigate } from "./route.js";
import { refreshConversations, requireClient } from "./session.js";
import { latestOnly } from "./latestOnly.js";

export interface RosterMember {
  readonly accountId: string;
  readonly name: string;
  readonly self: boolean;
}

/** The members of the chat whose info is on screen. */
export const roster = signal<{ conversationId: string; members: readonly RosterMember[] } | undefined>(undefined);

const newestRoster = latestOnly();

/** Loads a chat's members: when its info opens and after each change of its members (a new epoch). */
export async function loadRoster(conversationId: string): Promise<void> {
  const members = await newestRoster(() =>
    runAction("roster", async () =>
      (await requireClient().members(conversationId)).map((m) => ({
        accountId: encodeBase64url(m.credential.accountId),
        name: m.credential.displayName,
        self: m.self,
      })),
    ),
  );
  if (members !== undefined) roster.value = { conversationId, members };
}

/** Opens a chat made here: the list first holds it, then the chat shows. */
async function openNew(make: () => Promise<{ conversationId: string }>): Promise<void> {
  await runAction("newChat", async () => {
    const { conversationId } = await make();
    await refreshConversations();
    navigate({ screen: "chat", conversationId }, true);
  });
}

export function createGroup(name: string, accountIds: readonly string[]): Promise<void> {
  return openNew(() => requireClient().createGroup(name, accountIds));
}

export function openDirectChat(accountId: string): Promise<void> {
  return openNew(() => requireClient().directChat(accountId));
}

/** Sets a chat's disappearing-message timer for every member (0: off). */
export async function setDisappearing(conversationId: string, seconds: number): Promise<void> {
  await runAction("chatInfo", () => requireClient().setDisappearingTimer(conversationId, seconds));
}

export async function renameGroup(conversationId: string, name: string): Promise<void> {
  await runAction("chatInfo", () => requireClient().rename(conversationId, name));
}

/** Whether they were added. */
export async function addMembers(
  conversationId: string,
  people: readonly { accountId: string; displayName: string }[],
): Promise<boolean> {
  const added = await runAction("chatInfo", async () => {
    await requireClient().addMembers(
      conversationId,
      people.map((p) => p.accountId),
      people.map((p) => p.displayName),
    );
    return true;
  });
  return added === true;
}

export async function removeMember(conversationId: string, accountId: string): Promise<void> {
  await runAction("chatInfo", () => requireClient().removeMembers(conversationId, [accountId]));
}

/** Leaves the group and goes back to the chat list. */
export async function leaveGroup(conversationId: string): Promise<void> {
  await runAction("chatInfo", async () => {
    await requireClient().leave(conversationId);
    navigate({ screen: "chats" });
  });
}

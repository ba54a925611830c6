/**
 * The organisation's colleague directory, for picking people for a chat
 * and for the empty chat list's hint. A failed load is shown where the
 * directory is (no toast): offline, the picker says so in place.
 */
import { computed, signal } from "@preact/signals";
import type { Member } from "@bote/protocol/light";
import { errorText, ownProfile, requireClient } from "./session.js";
import { latestOnly } from "./latestOnly.js";

/** Everyone in the directory by name, with the name the organisation's certificate gives; undefined until loaded. */
export const directory = signal<readonly Member[] | undefined>(undefined);
export const directoryProblem = signal<string | undefined>(undefined);

/** How many others are in the directory: undefined while loading, -1 when it could not be read. */
export const colleagueCount = computed(() => {
  const list = directory.value;
  if (list === undefined) return directoryProblem.value === undefined ? undefined : -1;
  const self = ownProfile().accountId;
  return list.filter((m) => m.accountId !== self).length;
});

const newest = latestOnly();

export async function loadDirectory(): Promise<void> {
  directory.value = undefined;
  directoryProblem.value = undefined;
  try {
    const list = await newest(() => requireClient().directory());
    if (list === undefined) return;
    directory.value = list
      .map((e) => ({ ...e.member, displayName: e.displayName }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName));
  } catch (err) {
    directoryProblem.value = errorText(err);
  }
}

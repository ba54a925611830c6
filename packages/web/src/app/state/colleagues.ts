/**
 * The directory screen: every colleague with role, department and title,
 * as the organisation's signed log says (the SDK checks the signatures);
 * nobody's address book is read. The filter runs on this device.
 */
import { computed, signal } from "@preact/signals";
import type { Role } from "@bote/protocol/light";
import { errorText, requireClient } from "./session.js";
import { latestOnly } from "./latestOnly.js";

export interface Colleague {
  readonly accountId: string;
  readonly displayName: string;
  readonly role: Role;
  readonly department: string;
  readonly title: string;
}

export const colleagues = signal<readonly Colleague[] | undefined>(undefined);
export const colleaguesProblem = signal<string | undefined>(undefined);
export const colleagueSearch = signal("");

const fold = (s: string) => s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

/** Every word typed is in the name, department or title; accents and case do not matter. */
export const shownColleagues = computed(() => {
  const words = fold(colleagueSearch.value)
    .split(/\s+/)
    .filter((w) => w !== "");
  return (colleagues.value ?? []).filter((c) => {
    const text = fold(`${c.displayName} ${c.department} ${c.title}`);
    return words.every((w) => text.includes(w));
  });
});

const newest = latestOnly();

export async function loadColleagues(): Promise<void> {
  colleaguesProblem.value = undefined;
  try {
    const list = await newest(() => requireClient().directory());
    if (list === undefined) return;
    colleagues.value = list
      .filter((e) => e.confirmed)
      .map((e) => ({
        accountId: e.member.accountId,
        displayName: e.displayName,
        role: e.role,
        department: e.department,
        title: e.title,
      }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName));
  } catch (err) {
    colleaguesProblem.value = errorText(err);
  }
}

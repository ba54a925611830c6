/**
 * What a person starts on a screen runs through one pattern: under a named
 * busy key the screens read (to disable their buttons and set aria-busy),
 * a failure becomes one toast in the app's language, and the caller gets
 * the result — or undefined when it failed.
 */
import { signal } from "@preact/signals";
import { errorText, showToast } from "./session.js";

/** One key per screen or kind of action; actions under the same key may overlap (two texts sent quickly). */
export type BusyKey =
  | "admin"
  | "chatInfo"
  | "contactPoints"
  | "download"
  | "inbox"
  | "message"
  | "newChat"
  | "notifications"
  | "pin"
  | "privacy"
  | "roster"
  | "safetyNumbers"
  | "send"
  | "trust";

/** How many actions run under each key. */
const running = signal<ReadonlyMap<BusyKey, number>>(new Map());

export function isBusy(key: BusyKey): boolean {
  return (running.value.get(key) ?? 0) > 0;
}

function count(key: BusyKey, by: 1 | -1): void {
  running.value = new Map(running.value).set(key, (running.value.get(key) ?? 0) + by);
}

/** A failure the person should hear of, in one toast. */
export function reportError(err: unknown): void {
  showToast(errorText(err));
}

export async function runAction<T>(key: BusyKey, action: () => Promise<T>): Promise<T | undefined> {
  count(key, 1);
  try {
    return await action();
  } catch (err) {
    reportError(err);
    return undefined;
  } finally {
    count(key, -1);
  }
}

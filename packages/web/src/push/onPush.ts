/**
 * What the service worker does when a push wakes it: the push says only
 * that something arrived, so the worker fetches the device's entries over
 * HTTP, decrypts and stores them as the app would (the SDK's fetchPending),
 * and shows what came itself. It touches the store only when no window of
 * the app is open (the app's socket gets the entries there) and the app
 * lock is off (no decryption before the PIN); otherwise, or when the fetch
 * fails, it shows "Neue Nachricht". Browsers require a notification for
 * every push, so there is always one.
 */
import { BoteClient } from "@bote/client";
import type { MessageRecord } from "@bote/core";
import { IndexedDbClientStore } from "../store/IndexedDbClientStore.js";
import { browserTransport } from "../platform/browserTransport.js";
import { AppLock } from "../lock/appLock.js";
import { DEVICE_LOCK } from "./deviceLock.js";
import { readPushSettings } from "./pushSettings.js";
import {
  genericNotification,
  notificationsFor,
  quietNotification,
  NOTIFICATION_TAG,
  type NotificationSpec,
} from "./notifications.js";

/** The parts of the service worker's scope this module uses (the DOM lib has no worker types). */
export interface PushScope {
  readonly registration: {
    showNotification(title: string, options: NotificationOptions & { data?: unknown }): Promise<void>;
    getNotifications(filter?: { tag?: string }): Promise<Notification[]>;
  };
  readonly clients: { matchAll(options: { type: "window"; includeUncontrolled: boolean }): Promise<unknown[]> };
}

export async function onPush(scope: PushScope): Promise<void> {
  const settings = await readPushSettings().catch(() => undefined);
  const language = settings?.language ?? "de";
  let shown: NotificationSpec[];
  try {
    const locked = await appLockEnabled();
    const appOpen = (await scope.clients.matchAll({ type: "window", includeUncontrolled: true })).length > 0;
    if (locked || appOpen) {
      shown = [genericNotification(language)];
    } else {
      const since = Date.now();
      const arrived = await processPending();
      shown = notificationsFor(arrived, since, { preview: settings?.preview ?? true, language });
      if (shown.length === 0) {
        // Nothing to tell (a receipt, a member change): a notice already on screen satisfies the browser.
        if ((await scope.registration.getNotifications()).length > 0) return;
        shown = [quietNotification(language)];
      }
    }
  } catch (err) {
    console.warn("bote: push", err);
    shown = [genericNotification(language)];
  }
  for (const n of shown) {
    await scope.registration.showNotification(n.title, {
      body: n.body,
      tag: n.tag,
      silent: n.silent,
      icon: "/icons/bote-192.png",
      badge: "/icons/bote-192.png",
      data: { url: n.url },
    });
  }
  // "Neue Nachricht" and "up to date" share one tag: a chat's own notification replaces them.
  if (shown.some((n) => n.tag !== NOTIFICATION_TAG)) {
    for (const stale of await scope.registration.getNotifications({ tag: NOTIFICATION_TAG })) stale.close();
  }
}

async function appLockEnabled(): Promise<boolean> {
  const lock = await AppLock.open();
  try {
    return lock.enabled;
  } finally {
    lock.close();
  }
}

/** Under the device lock: the app, should it open meanwhile, waits until the store is consistent. */
async function processPending(): Promise<MessageRecord[]> {
  return navigator.locks.request(DEVICE_LOCK, async () => {
    const store = await IndexedDbClientStore.open();
    if ((await store.getProfile()) === undefined) {
      await store.close();
      return [];
    }
    const client = await BoteClient.open({ store, transport: browserTransport() });
    try {
      return await client.fetchPending();
    } finally {
      await client.close();
    }
  });
}

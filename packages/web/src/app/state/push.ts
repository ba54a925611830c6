/**
 * Web Push from the app's side: asking for permission, subscribing with the
 * server's VAPID key and telling the server (and unsubscribing again), and
 * the settings the service worker reads when a push wakes it
 * (push/pushSettings.ts). The SDK calls go through the open device.
 */
import { signal } from "@preact/signals";
import { ClientError } from "@bote/client/light";
import type { BoteClient } from "@bote/client";
import { decodeBase64url, encodeBase64url } from "@bote/protocol/light";
import { readPushSettings, writePushSettings, type PushSettings } from "../../push/pushSettings.js";
import { language } from "../i18n/i18n.js";

export type PushAvailability = "available" | "unsupported";
export type EnableOutcome = "on" | "denied" | "unsupported" | "failed";

export const pushSettings = signal<PushSettings | undefined>(undefined);

export function pushAvailability(): PushAvailability {
  return "serviceWorker" in navigator && "PushManager" in globalThis && "Notification" in globalThis
    ? "available"
    : "unsupported";
}

/** Reads the settings the screens show, in the language on screen. */
export async function loadPushSettings(): Promise<void> {
  let settings = await readPushSettings();
  if (settings.language !== language.value) settings = await writePushSettings({ language: language.value });
  pushSettings.value = settings;
}

/** With notifications on, hands the server the current subscription once connected: the browser may have renewed it. */
export async function refreshPushSubscription(client: BoteClient): Promise<void> {
  const settings = pushSettings.value ?? (await readPushSettings());
  if (settings.enabled && pushAvailability() === "available" && Notification.permission === "granted") {
    await subscribe(client);
  }
}

export async function enablePush(client: BoteClient): Promise<EnableOutcome> {
  if (pushAvailability() !== "available") return "unsupported";
  if ((await Notification.requestPermission()) !== "granted") return "denied";
  try {
    await subscribe(client);
  } catch (err) {
    console.warn("bote: push subscription", err);
    return "failed";
  }
  pushSettings.value = await writePushSettings({ enabled: true, language: language.value });
  return "on";
}

/** Unsubscribes here and on the server; the server's copy goes anyway with the device. */
export async function disablePush(client: BoteClient): Promise<void> {
  pushSettings.value = await writePushSettings({ enabled: false });
  const registration = await navigator.serviceWorker?.getRegistration();
  await (await registration?.pushManager.getSubscription())?.unsubscribe();
  await client.removePushSubscription().catch((err: unknown) => {
    if (!(err instanceof ClientError && err.code === "offline")) throw err;
  });
}

export async function setPushPreview(preview: boolean): Promise<void> {
  pushSettings.value = await writePushSettings({ preview });
}

export async function setPushLanguage(next: "de" | "en"): Promise<void> {
  pushSettings.value = await writePushSettings({ language: next });
}

async function subscribe(client: BoteClient): Promise<void> {
  const registration = await navigator.serviceWorker.ready;
  const key = decodeBase64url(await client.pushKey());
  if (key === undefined) throw new ClientError("server_unexpected", "push key");
  let subscription = await registration.pushManager.getSubscription();
  // A subscription made for another server key (a restored server, another installation) cannot be pushed to.
  const current = subscription?.options.applicationServerKey;
  if (subscription !== null && (current == null || encodeBase64url(new Uint8Array(current)) !== encodeBase64url(key))) {
    await subscription.unsubscribe();
    subscription = null;
  }
  subscription ??= await registration.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: key as Uint8Array<ArrayBuffer>,
  });
  const p256dh = subscription.getKey("p256dh");
  const auth = subscription.getKey("auth");
  if (p256dh === null || auth === null) throw new Error("the push subscription has no keys");
  await client.setPushSubscription({
    endpoint: subscription.endpoint,
    keys: { p256dh: encodeBase64url(new Uint8Array(p256dh)), auth: encodeBase64url(new Uint8Array(auth)) },
  });
}

/**
 * New-message notice in the open tab: the unread count in the title, a
 * notice inside the app, and — if the person allowed it — a system
 * notification while the tab is in the background. The notification names
 * the sender only; the message text stays in the app.
 */
import { signal } from "@preact/signals";
import type { MessageRecord } from "@bote/core";
import { t } from "../i18n/i18n.js";

export const incomingNotice = signal<{ text: string; href: string; id: number } | undefined>(undefined);

/** `inquiry`: a customer's message, which lives in the team inbox and whose sender is a throw-away account. */
export function notifyIncoming(message: MessageRecord, seen: boolean, inquiry = false): void {
  if (seen) return;
  const id = Date.now();
  incomingNotice.value = inquiry
    ? { text: t("inbox.newMessage"), href: `#/inbox/${message.conversationId}`, id }
    : {
        text: t("notifications.newMessageFrom", { name: message.senderName }),
        href: `#/chat/${message.conversationId}`,
        id,
      };
  setTimeout(() => {
    if (incomingNotice.value?.id === id) incomingNotice.value = undefined;
  }, 4000);
  if (document.visibilityState === "hidden" && "Notification" in globalThis && Notification.permission === "granted") {
    new Notification("Bote", { body: t("notifications.newMessageFrom", { name: message.senderName }), tag: "bote" });
  }
}

export function setTitleUnread(unread: number): void {
  document.title = unread > 0 ? t("app.titleUnread", { count: unread }) : "Bote";
}

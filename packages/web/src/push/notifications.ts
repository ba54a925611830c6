/**
 * What a push shows, from the records the woken service worker stored:
 * one notification per chat with the newest line from someone else,
 * "Anna Admin: Fotos kommen gleich" — or, without preview (chosen in the
 * settings, or while the app lock is on), only "Neue Nachricht". Pure, so
 * the choice is the same wherever it is made.
 */
import { readContent } from "@bote/client";
import type { MessageRecord } from "@bote/core";
import { de } from "../app/i18n/de.js";
import { en } from "../app/i18n/en.js";

export interface NotificationSpec {
  readonly title: string;
  readonly body: string;
  /** A newer notification with the same tag replaces the older one. */
  readonly tag: string;
  /** Where a click leads. */
  readonly url: string;
  readonly silent: boolean;
}

export const NOTIFICATION_TAG = "bote";

type Catalog = typeof de;
const catalogs: Record<"de" | "en", Catalog> = { de, en };

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => values[name] ?? "");
}

/** "Neue Nachricht": nothing about who or what, for a locked app, the choice without preview, or a failed fetch. */
export function genericNotification(language: "de" | "en"): NotificationSpec {
  const texts = catalogs[language].push;
  return { title: texts.title, body: texts.newMessage, tag: NOTIFICATION_TAG, url: "/#/", silent: false };
}

/** For a push that brought nothing to show (a receipt, a member change): browsers want a notification all the same. */
export function quietNotification(language: "de" | "en"): NotificationSpec {
  const texts = catalogs[language].push;
  return { title: texts.title, body: texts.upToDate, tag: NOTIFICATION_TAG, url: "/#/", silent: true };
}

/** The notifications for records stored at or after `since`; empty when none is a line from someone else. */
export function notificationsFor(
  records: readonly MessageRecord[],
  since: number,
  options: { preview: boolean; language: "de" | "en" },
): NotificationSpec[] {
  const newest = new Map<string, { record: MessageRecord; body: string }>();
  for (const record of records) {
    if (record.direction !== "in" || record.kind !== "content" || record.status !== "received") continue;
    if (record.deleted || record.storedAt < since) continue;
    const body = lineText(record, catalogs[options.language]);
    if (body === undefined) continue;
    const seen = newest.get(record.conversationId);
    if (seen === undefined || seen.record.storedAt <= record.storedAt)
      newest.set(record.conversationId, { record, body });
  }
  if (newest.size === 0) return [];
  if (!options.preview) return [genericNotification(options.language)];
  return [...newest.values()].map(({ record, body }) => ({
    title: record.senderName,
    body,
    tag: `${NOTIFICATION_TAG}-${record.conversationId}`,
    url: `/#/chat/${record.conversationId}`,
    silent: false,
  }));
}

/** A text, photo or file as one line; undefined for what is no chat line (a reaction). */
function lineText(record: MessageRecord, texts: Catalog): string | undefined {
  const body = readContent(record)?.body;
  if (body?.case === "text") return body.value.text;
  if (body?.case !== "attachment") return undefined;
  const attachment = body.value;
  if (attachment.mediaType.startsWith("image/")) {
    return attachment.caption === "" ? texts.files.photo : fill(texts.chatList.photo, { caption: attachment.caption });
  }
  return fill(texts.chatList.file, { name: attachment.fileName });
}

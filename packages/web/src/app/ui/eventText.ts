import type { ConversationEvent } from "@bote/client";
import { t } from "../i18n/i18n.js";

/** Events are stored as data and worded here, in the language on screen. */
export function eventText(event: ConversationEvent): string {
  switch (event.type) {
    case "created":
      return t("events.created");
    case "joined":
      return event.by === undefined ? t("events.joined") : t("events.joinedBy", { by: event.by });
    case "members_added":
      return t("events.membersAdded", { by: event.by, members: listFormat(event.members) });
    case "members_removed":
      return t("events.membersRemoved", { by: event.by, members: listFormat(event.members) });
    case "device_added":
      return t("events.deviceAdded", { by: event.by });
    case "renamed":
      return t("events.renamed", { by: event.by, name: event.name });
    case "removed":
      return t("events.removed", { by: event.by });
    case "left":
      return t("events.left");
    case "undecryptable":
      return t("events.undecryptable");
    case "untrusted_sender":
      return t("events.untrustedSender");
    case "unsupported_content":
      return t("events.unsupportedContent");
    case "disappearing": {
      const duration = disappearingDuration(event.seconds);
      if (event.seconds === 0)
        return event.by === undefined ? t("events.disappearingOffMine") : t("events.disappearingOff", { by: event.by });
      return event.by === undefined
        ? t("events.disappearingSetMine", { duration })
        : t("events.disappearingSet", { by: event.by, duration });
    }
  }
}

/** A timer in the largest unit that divides it: "1 Tag", "4 Wochen"; 0 is "Aus". */
export function disappearingDuration(seconds: number): string {
  if (seconds === 0) return t("disappearing.off");
  if (seconds % 604_800 === 0) return t("disappearing.weeks", { count: seconds / 604_800 });
  if (seconds % 86_400 === 0) return t("disappearing.days", { count: seconds / 86_400 });
  if (seconds % 3_600 === 0) return t("disappearing.hours", { count: seconds / 3_600 });
  if (seconds % 60 === 0) return t("disappearing.minutes", { count: seconds / 60 });
  return t("disappearing.seconds", { count: seconds });
}

function listFormat(names: readonly string[]): string {
  return new Intl.ListFormat(document.documentElement.lang || "de", { type: "conjunction" }).format(names);
}

import type { Line } from "../state/lines.js";
import { previewOf } from "../state/lines.js";
import { t } from "../i18n/i18n.js";
import { eventText } from "./eventText.js";

/** One line of text for a message: the chat list's last line and a reply's quote. */
export function previewText(line: Line | undefined): string {
  if (line?.kind === "event") return eventText(line.event);
  const preview = previewOf(line);
  switch (preview.key) {
    case "text":
      return preview.text;
    case "photo":
      return preview.text === "" ? t("files.photo") : t("chatList.photo", { caption: preview.text });
    case "file":
      return t("chatList.file", { name: preview.text });
    case "deleted":
      return t("message.deleted");
    case "event":
      return "";
  }
}

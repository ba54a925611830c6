import type { Line } from "../state/lines.js";
import { previewOf } from "../state/lines.js";
import { t } from "../i18n/i18n.js";
import { ATTACHMENT_KIND } from "@bote/protocol/light";
import { formatDuration } from "../../media/voiceRecorder.js";
import { eventText } from "./eventText.js";

/** One line of text for a message: the chat list's last line and a reply's quote. */
export function previewText(line: Line | undefined): string {
  if (line?.kind === "event") return eventText(line.event);
  if (line?.kind === "file" && line.attachment.kind === ATTACHMENT_KIND.VOICE) {
    return t("voice.preview", { duration: formatDuration(line.attachment.durationMs ?? 0) });
  }
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

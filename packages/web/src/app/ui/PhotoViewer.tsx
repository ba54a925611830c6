import { useEffect, useState } from "preact/hooks";
import { t } from "../i18n/i18n.js";
import { download, downloads, thumbnailUrl } from "../state/files.js";
import { toLines, type FileLine } from "../state/lines.js";
import { navigate } from "../state/route.js";
import { errorText, loadConversation, openMessages } from "../state/session.js";
import { Icon } from "./icons.js";
import { Progress } from "./Progress.js";

/** The full photo, downloaded and decrypted on open; the thumbnail shows meanwhile. */
export function PhotoViewer({ conversationId, messageId }: { conversationId: string; messageId: string }) {
  const [url, setUrl] = useState<string | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const line = toLines(openMessages.value).find(
    (l): l is FileLine => l.kind === "file" && l.record.messageId === messageId,
  );
  useEffect(() => {
    if (line === undefined) void loadConversation(conversationId);
  }, [conversationId, line === undefined]);
  useEffect(() => {
    if (line === undefined) return;
    download(messageId, line.attachment, conversationId).then(setUrl, (err: unknown) => setProblem(errorText(err)));
  }, [messageId, line === undefined]);
  const close = () => navigate({ screen: "chat", conversationId }, true);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && close();
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, []);
  const transfer = downloads.value.get(messageId);
  const shown = url ?? (line && thumbnailUrl(messageId, line.attachment));
  return (
    <section class="viewer" role="dialog" aria-modal="true" aria-label={t("viewer.title")}>
      <header class="bar dark">
        <button class="icon-button" aria-label={t("common.close")} onClick={close} autoFocus>
          <Icon name="close" />
        </button>
        <span class="bar-title">{line?.record.senderName}</span>
        {url && (
          <a
            class="icon-button"
            href={url}
            download={line?.attachment.fileName || "foto.jpg"}
            aria-label={t("viewer.save")}
          >
            <Icon name="download" />
          </a>
        )}
      </header>
      <div class="viewer-stage">
        {shown && (
          <img
            class={url ? "full" : "preview"}
            src={shown}
            alt={line?.attachment.caption || t("files.photo")}
            data-full={url ? "1" : "0"}
          />
        )}
        {transfer && (
          <Progress
            done={transfer.done}
            total={transfer.total}
            label={t("files.downloading", { name: transfer.fileName })}
          />
        )}
        {problem && (
          <p class="error" role="alert">
            {problem}
          </p>
        )}
      </div>
      {line?.attachment.caption && <p class="viewer-caption">{line.attachment.caption}</p>}
    </section>
  );
}

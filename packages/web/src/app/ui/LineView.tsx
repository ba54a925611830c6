import { useCallback, useRef, useState } from "preact/hooks";
import type { ConversationRecord, MessageRecord } from "@bote/core";
import { ATTACHMENT_KIND } from "@bote/protocol/light";
import { formatBytes, formatTime, t } from "../i18n/i18n.js";
import { downloadedUrl, downloads, saveFile, sending, thumbnailUrl } from "../state/files.js";
import { isPhotoAttachment, type FileLine, type Line } from "../state/lines.js";
import { navigate } from "../state/route.js";
import { eventText } from "./eventText.js";
import { Icon } from "./icons.js";
import { MessageMenu, useLongPress } from "./MessageMenu.js";
import { Progress } from "./Progress.js";
import { VoiceMessage } from "./VoiceMessage.js";
import { previewText } from "./previewText.js";

interface LineProps {
  line: Line;
  quoted: Line | undefined;
  conversation: ConversationRecord;
  onReply: () => void;
  onEdit: () => void;
}

export function LineView({ line, quoted, conversation, onReply, onEdit }: LineProps) {
  const [menu, setMenu] = useState(false);
  const trigger = useRef<HTMLButtonElement>(null);
  const bubble = useRef<HTMLDivElement>(null);
  const hasMenu = line.kind !== "event" && line.kind !== "deleted" && conversation.active;
  const press = useLongPress(() => hasMenu && setMenu(true));
  const closeMenu = useCallback((returnFocus: boolean) => {
    setMenu(false);
    if (returnFocus) trigger.current?.focus();
  }, []);
  if (line.kind === "event") {
    return (
      <li class="line event">
        <span>{eventText(line.event)}</span>
      </li>
    );
  }
  const record = line.record;
  const mine = record.direction === "out";
  const canChange = mine && line.kind !== "deleted" && line.kind !== "unreadable" && conversation.active;
  return (
    <li class={`line ${mine ? "out" : "in"}`} data-message-id={record.messageId}>
      <div class="bubble" ref={bubble} {...(hasMenu ? press : {})}>
        {conversation.kind === "group" && !mine && <span class="sender">{record.senderName}</span>}
        {quoted !== undefined && <Quote line={quoted} />}
        <LineBody line={line} conversation={conversation} />
        <Meta record={record} edited={(line.kind === "text" || line.kind === "file") && line.edited} />
      </div>
      {line.reactions.length > 0 && (
        <ul class="reactions" aria-label={t("message.reactions")}>
          {line.reactions.map((r) => (
            <li key={r.senderAccountId} title={r.senderName}>
              {r.emoji}
            </li>
          ))}
        </ul>
      )}
      {hasMenu && (
        <button
          ref={trigger}
          class="icon-button line-menu"
          aria-haspopup="menu"
          aria-expanded={menu}
          aria-label={t("message.actions")}
          onClick={() => setMenu(!menu)}
        >
          <Icon name="more" size={18} />
        </button>
      )}
      {menu && (
        <MessageMenu
          line={line}
          anchor={bubble}
          trigger={trigger}
          canChange={canChange}
          onClose={closeMenu}
          onReply={onReply}
          onEdit={onEdit}
        />
      )}
    </li>
  );
}

function Quote({ line }: { line: Line }) {
  return (
    <blockquote class="quote">
      <span class="sender">{line.record.senderName}</span>
      <span>{previewText(line)}</span>
    </blockquote>
  );
}

function LineBody({ line, conversation }: { line: Line; conversation: ConversationRecord }) {
  switch (line.kind) {
    case "event":
      return null;
    case "deleted":
      return <p class="text muted">{t("message.deleted")}</p>;
    case "unreadable":
      return <p class="text muted">{t("message.unreadable")}</p>;
    case "text":
      return <p class="text">{line.text}</p>;
    case "file":
      if (line.attachment.kind === ATTACHMENT_KIND.VOICE) {
        return (
          <>
            <VoiceMessage line={line} />
            <UploadProgress line={line} />
          </>
        );
      }
      return isPhotoAttachment(line.attachment) ? (
        <>
          <PhotoTile line={line} conversation={conversation} />
          <UploadProgress line={line} />
          {line.attachment.caption !== "" && <p class="text">{line.attachment.caption}</p>}
        </>
      ) : (
        <FileCard line={line} />
      );
  }
}

function PhotoTile({ line, conversation }: { line: FileLine; conversation: ConversationRecord }) {
  const thumb = downloadedUrl(line.record.messageId) ?? thumbnailUrl(line.record.messageId, line.attachment);
  const { width, height } = line.attachment;
  return (
    <button
      class="photo"
      onClick={() =>
        navigate({ screen: "viewer", conversationId: conversation.conversationId, messageId: line.record.messageId })
      }
      aria-label={t("files.openPhoto", { name: line.record.senderName })}
    >
      {thumb ? (
        <img src={thumb} alt="" width={width} height={height} />
      ) : (
        <span class="photo-placeholder">{t("files.photo")}</span>
      )}
    </button>
  );
}

/** The upload of an own file that waited for the connection (or is going out now). */
function UploadProgress({ line }: { line: FileLine }) {
  const upload = sending.value.get(line.record.messageId);
  if (upload === undefined) return null;
  const name = line.attachment.fileName || t("files.photo");
  return <Progress done={upload.done} total={upload.total} label={t("files.uploading", { name })} />;
}

function FileCard({ line }: { line: FileLine }) {
  const transfer = downloads.value.get(line.record.messageId);
  return (
    <div class="file-card">
      <Icon name="file" size={28} />
      <span class="file-info">
        <span class="file-name">{line.attachment.fileName || t("files.unnamed")}</span>
        <span class="file-size">{formatBytes(Number(line.attachment.size))}</span>
        {transfer && (
          <Progress
            done={transfer.done}
            total={transfer.total}
            label={t("files.downloading", { name: transfer.fileName })}
          />
        )}
        <UploadProgress line={line} />
      </span>
      <button
        class="icon-button"
        aria-label={t("files.download", { name: line.attachment.fileName })}
        onClick={() => void saveFile(line)}
      >
        <Icon name="download" />
      </button>
      {line.attachment.caption !== "" && <p class="text">{line.attachment.caption}</p>}
    </div>
  );
}

function Meta({ record, edited = false }: { record: MessageRecord; edited?: boolean }) {
  const status = record.direction === "out" ? record.status : undefined;
  return (
    <span class="meta">
      {edited && <span class="edited">{t("message.edited")}</span>}
      <time>{formatTime(record.sentAt)}</time>
      {status === "failed" && (
        // Spelled out, not only an icon: the message will not be sent again.
        <span class="status status-failed" role="status">
          <Icon name="warning" size={16} />
          {t("status.failed")}
        </span>
      )}
      {status !== undefined && status !== "failed" && (
        <span class={`status status-${status}`} title={t(`status.${status}`)} aria-label={t(`status.${status}`)}>
          <Icon name={status === "queued" ? "clock" : status === "sent" ? "check" : "checks"} size={16} />
        </span>
      )}
    </span>
  );
}

export function AlbumView({ lines, conversation }: { lines: FileLine[]; conversation: ConversationRecord }) {
  const first = lines[0]!;
  const mine = first.record.direction === "out";
  const last = lines.at(-1)!;
  return (
    <li class={`line ${mine ? "out" : "in"}`} data-message-id={first.record.messageId}>
      <div class="bubble album-bubble">
        {conversation.kind === "group" && !mine && <span class="sender">{first.record.senderName}</span>}
        <div class="album" role="group" aria-label={t("files.album", { count: lines.length })}>
          {lines.map((line) => (
            <PhotoTile key={line.record.messageId} line={line} conversation={conversation} />
          ))}
        </div>
        {last.attachment.caption !== "" && <p class="text">{last.attachment.caption}</p>}
        <Meta record={last.record} edited={last.edited} />
      </div>
    </li>
  );
}

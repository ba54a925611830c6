import { useEffect, useRef, useState } from "preact/hooks";
import { t } from "../i18n/i18n.js";
import { isShown, toBlocks, toLines, type Block, type Line } from "../state/lines.js";
import { focusedMessage, navigate } from "../state/route.js";
import { uploads } from "../state/files.js";
import {
  contacts,
  conversations,
  dismissContactNotice,
  keyChanges,
  loadConversation,
  markRead,
  newDevices,
  openMessages,
} from "../state/session.js";
import { Avatar } from "./Avatar.js";
import { Composer } from "./Composer.js";
import { disappearingDuration } from "./eventText.js";
import { Icon } from "./icons.js";
import { AlbumView, LineView } from "./LineView.js";
import { Progress } from "./Progress.js";
import { trustOf } from "./trust.js";

/** How long a line opened from a search hit stays marked. */
const FOCUS_MARK_MS = 2500;

/**
 * Blocks drawn when a chat opens; earlier ones come with "Frühere Nachrichten
 * anzeigen". A long chat then draws, and redraws for each new message, no
 * more than a short one.
 */
const DRAWN = 80;

/** The index of the block a message is shown in: its own, or the album it belongs to. */
function blockIndexOf(blocks: readonly Block[], messageId: string): number {
  return blocks.findIndex((block) =>
    (block.kind === "album" ? block.lines : [block.line]).some((l) => l.record.messageId === messageId),
  );
}

function blockId(block: Block): string {
  return (block.kind === "album" ? block.lines[0]! : block.line).record.messageId;
}

export function Chat({ conversationId }: { conversationId: string }) {
  const conversation = conversations.value.find((c) => c.conversationId === conversationId);
  const [replyTo, setReplyTo] = useState<Line | undefined>();
  const [editing, setEditing] = useState<Line | undefined>();
  const list = useRef<HTMLOListElement>(null);
  const records = openMessages.value.filter((m) => m.conversationId === conversationId);
  const lines = toLines(records).filter((l) => conversation === undefined || isShown(l, conversation.kind));
  const blocks = toBlocks(lines);
  const sending = uploads.value.filter((u) => u.conversationId === conversationId);

  const focus = focusedMessage.value?.conversationId === conversationId ? focusedMessage.value.messageId : undefined;
  const [earlier, setEarlier] = useState(0);
  const focusAt = focus === undefined ? -1 : blockIndexOf(blocks, focus);
  const drawnFrom = Math.max(0, Math.min(blocks.length - DRAWN - earlier, focusAt === -1 ? Infinity : focusAt - 10));
  const drawn = blocks.slice(drawnFrom);

  useEffect(() => {
    setEarlier(0);
    openMessages.value = [];
    void loadConversation(conversationId, focus);
  }, [conversationId]);
  useEffect(() => {
    if (conversation !== undefined && conversation.unread > 0 && document.visibilityState === "visible") {
      void markRead(conversationId);
    }
  }, [conversationId, conversation?.unread]);
  useEffect(() => {
    // New lines scroll into view, unless the chat was opened at a search hit that is still marked.
    if (focusedMessage.peek()?.conversationId !== conversationId) {
      list.current?.lastElementChild?.scrollIntoView({ block: "end" });
    }
  }, [records.length, sending.length]);
  useEffect(() => {
    if (focus === undefined) return;
    // Opened from a search hit: once its line is there, it is scrolled to and marked for a moment.
    if (focusAt === -1) return;
    const element = list.current?.querySelector(`[data-message-id="${blockId(blocks[focusAt]!)}"]`);
    if (element === null || element === undefined) return;
    // The lines drawn for it stay drawn after the mark goes.
    setEarlier((n) => Math.max(n, blocks.length - DRAWN - drawnFrom));
    element.scrollIntoView({ block: "center" });
    element.classList.add("focused");
    const timer = setTimeout(() => {
      element.classList.remove("focused");
      focusedMessage.value = undefined;
    }, FOCUS_MARK_MS);
    return () => clearTimeout(timer);
  }, [records.length, sending.length, focus]);

  if (conversation === undefined) {
    return (
      <div class="empty-detail">
        <p>{t("chat.notFound")}</p>
      </div>
    );
  }
  const peer = conversation.peerAccountId;
  const trust =
    conversation.kind === "direct" ? trustOf(peer === undefined ? undefined : contacts.value.get(peer)) : undefined;
  const changed = peer !== undefined && keyChanges.value.has(peer);
  const anotherDevice = !changed && peer !== undefined && newDevices.value.has(peer);
  const byId = new Map(lines.map((l) => [l.record.messageId, l]));
  return (
    <section class="chat" aria-label={conversation.name}>
      <header class="bar">
        <a class="icon-button back" href="#/" aria-label={t("common.back")}>
          <Icon name="back" />
        </a>
        <a
          class="chat-title"
          href={`#/chat/${conversationId}/info`}
          aria-label={t("chat.openInfo", { name: conversation.name })}
        >
          <Avatar name={conversation.name} group={conversation.kind === "group"} />
          <span>
            <span class="chat-title-name">{conversation.name}</span>
            <span class="chat-title-sub">
              {conversation.kind === "group"
                ? t("chat.groupSubtitle")
                : trust === "organisation" || trust === "verified"
                  ? t("trust.verifiedShort")
                  : t("trust.unverifiedShort")}
            </span>
          </span>
        </a>
        {(conversation.disappearingSeconds ?? 0) > 0 && (
          <span
            class="disappearing-chip"
            role="note"
            title={t("disappearing.header", { duration: disappearingDuration(conversation.disappearingSeconds ?? 0) })}
          >
            <Icon name="timer" size={16} />
            <span>{disappearingDuration(conversation.disappearingSeconds ?? 0)}</span>
          </span>
        )}
        {trust !== undefined && peer !== undefined && (
          <a
            class={`icon-button trust-${trust}`}
            href={`#/verify/${peer}`}
            aria-label={t("trust.open")}
            title={
              trust === "organisation" || trust === "verified" ? t("trust.verifiedShort") : t("trust.unverifiedShort")
            }
          >
            <Icon name={trust === "organisation" || trust === "verified" ? "shieldCheck" : "shield"} />
          </a>
        )}
      </header>
      {changed && peer !== undefined && (
        <p class="warning" role="alert">
          <Icon name="warning" size={18} />
          {t("trust.keyChanged", { name: conversation.name })} <a href={`#/verify/${peer}`}>{t("trust.checkNow")}</a>
        </p>
      )}
      {anotherDevice && peer !== undefined && (
        <p class="calm" role="status">
          <Icon name="shieldCheck" size={18} />
          {t("trust.newDevice", { name: conversation.name })}
          <button class="link" onClick={() => dismissContactNotice(peer)}>
            {t("trust.newDeviceSeen")}
          </button>
        </p>
      )}
      {!conversation.active && (
        <p class="warning" role="status">
          {t("chat.inactive")}
        </p>
      )}
      <ol class="messages" ref={list} aria-label={t("chat.messages")} aria-live="polite">
        {drawnFrom > 0 && (
          <li class="earlier">
            <button class="link" onClick={() => setEarlier((n) => n + DRAWN)}>
              {t("chat.earlier")}
            </button>
          </li>
        )}
        {drawn.map((block) =>
          block.kind === "album" ? (
            <AlbumView key={block.lines[0]!.record.messageId} lines={block.lines} conversation={conversation} />
          ) : (
            <LineView
              key={block.line.record.messageId}
              line={block.line}
              quoted={
                block.line.kind === "text" && block.line.replyTo !== undefined
                  ? byId.get(block.line.replyTo)
                  : undefined
              }
              conversation={conversation}
              onReply={() => {
                setEditing(undefined);
                setReplyTo(block.line);
              }}
              onEdit={() => {
                setReplyTo(undefined);
                setEditing(block.line);
              }}
            />
          ),
        )}
        {sending.map((u) => (
          <li key={u.id} class="line out">
            <div class="bubble">
              <span class="file-name">{u.fileName}</span>
              <Progress done={u.done} total={u.total} label={t("files.uploading", { name: u.fileName })} />
            </div>
          </li>
        ))}
      </ol>
      {conversation.active && (
        <Composer
          conversationId={conversationId}
          replyTo={replyTo}
          editing={editing}
          onDone={() => {
            setReplyTo(undefined);
            setEditing(undefined);
          }}
        />
      )}
      {!conversation.active && (
        <button class="secondary wide" onClick={() => navigate({ screen: "chats" })}>
          {t("common.back")}
        </button>
      )}
    </section>
  );
}

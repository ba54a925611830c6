import { SetupOffer } from "./SetupWizard.js";
import { useEffect, useState } from "preact/hooks";
import type { SearchHit } from "@bote/client";
import type { ConversationRecord, MessageRecord } from "@bote/core";
import { formatDay, t } from "../i18n/i18n.js";
import { toLines } from "../state/lines.js";
import { openConversationId, route } from "../state/route.js";
import { holdsOrganisationKey } from "../state/administration.js";
import { colleagueCount, loadDirectory } from "../state/directory.js";
import { chats, connection, lastLines, ownProfile } from "../state/session.js";
import { inquiries, newInquiries, staffOf } from "../state/inbox.js";
import { openHit, search, searchHits, searchQuery } from "../state/search.js";
import { previewText } from "./previewText.js";
import { Icon } from "./icons.js";
import { Avatar } from "./Avatar.js";

/** Waits this long after the last key before searching the messages: each search reads the whole store. */
const TYPING_PAUSE_MS = 150;

export function ChatList() {
  const [filter, setFilter] = useState(searchQuery.value);
  const open = openConversationId(route.value);
  const needle = filter.trim().toLocaleLowerCase();
  const shown = chats.value.filter((c) => needle === "" || c.name.toLocaleLowerCase().includes(needle));
  useEffect(() => {
    const timer = setTimeout(() => void search(filter), filter.trim() === "" ? 0 : TYPING_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [filter]);
  return (
    <>
      <header class="bar">
        <h1 class="bar-title">{ownProfile().organisationName || "Bote"}</h1>
        <a class="icon-button" href="#/new" aria-label={t("chatList.newChat")} title={t("chatList.newChat")}>
          <Icon name="plus" />
        </a>
        <a class="icon-button" href="#/new-group" aria-label={t("chatList.newGroup")} title={t("chatList.newGroup")}>
          <Icon name="group" />
        </a>
        <a class="icon-button" href="#/settings" aria-label={t("settings.title")} title={t("settings.title")}>
          <Icon name="settings" />
        </a>
      </header>
      <ConnectionBanner />
      <SetupOffer />
      <div class="search">
        <Icon name="search" size={18} />
        <input
          type="search"
          aria-label={t("chatList.search")}
          placeholder={t("chatList.search")}
          value={filter}
          onInput={(e) => setFilter(e.currentTarget.value)}
        />
      </div>
      <InboxEntry />
      {chats.value.length === 0 ? (
        <EmptyChatList />
      ) : needle !== "" ? (
        <SearchResults chats={shown} open={open} />
      ) : (
        <ul class="chat-list" aria-label={t("chatList.title")}>
          {shown.map((c) => (
            <ChatListItem
              key={c.conversationId}
              conversation={c}
              last={lastLines.value.get(c.conversationId)}
              selected={c.conversationId === open}
            />
          ))}
        </ul>
      )}
    </>
  );
}

/** Chats whose name matches, then messages that contain every word, newest first. */
function SearchResults({ chats, open }: { chats: readonly ConversationRecord[]; open: string | undefined }) {
  const hits = searchHits.value;
  return (
    <>
      {chats.length > 0 && (
        <ul class="chat-list" aria-label={t("chatList.title")}>
          {chats.map((c) => (
            <ChatListItem
              key={c.conversationId}
              conversation={c}
              last={lastLines.value.get(c.conversationId)}
              selected={c.conversationId === open}
            />
          ))}
        </ul>
      )}
      {hits !== undefined && hits.length > 0 && (
        <section aria-label={t("search.messages")}>
          <h2 class="list-heading">{t("search.messages")}</h2>
          <ul class="chat-list search-hits">
            {hits.map((hit) => (
              <HitItem key={hit.messageId} hit={hit} />
            ))}
          </ul>
        </section>
      )}
      {hits !== undefined && hits.length === 0 && chats.length === 0 && (
        <p class="empty" role="status">
          {t("search.none")}
        </p>
      )}
    </>
  );
}

function HitItem({ hit }: { hit: SearchHit }) {
  const conversation = chats.value.find((c) => c.conversationId === hit.conversationId);
  const sender = hit.direction === "out" ? t("search.you") : hit.senderName;
  return (
    <li>
      <a
        class="chat-item hit"
        href={`#/chat/${hit.conversationId}`}
        onClick={(e) => {
          e.preventDefault();
          openHit(hit);
        }}
      >
        <Avatar name={hit.conversationName} group={conversation?.kind === "group"} />
        <span class="chat-item-main">
          <span class="chat-item-top">
            <span class="chat-item-name">{hit.conversationName}</span>
            <time class="chat-item-time">{formatDay(hit.sentAt)}</time>
          </span>
          <span class="hit-text">
            <span class="hit-sender">{sender}: </span>
            <Highlighted text={hit.snippet} matches={hit.matches} />
          </span>
        </span>
      </a>
    </li>
  );
}

/** The snippet with its matched words marked; overlapping matches ("an", "anna") are marked once. */
export function Highlighted({ text, matches }: { text: string; matches: readonly (readonly [number, number])[] }) {
  const parts = [];
  let at = 0;
  for (const [start, end] of matches) {
    if (end <= at) continue;
    const from = Math.max(start, at);
    if (from > at) parts.push(text.slice(at, from));
    parts.push(<mark key={from}>{text.slice(from, end)}</mark>);
    at = end;
  }
  if (at < text.length) parts.push(text.slice(at));
  return <span class="hit-snippet">{parts}</span>;
}

/**
 * No chats yet. "Neuer Chat" finds nobody while the admin is alone in the
 * organisation, so an admin is offered inviting first; the directory says
 * whether there is anyone to write to.
 */
function EmptyChatList() {
  const admin = holdsOrganisationKey();
  // Offline (-1): say what is true in any case.
  const colleagues = colleagueCount.value;
  useEffect(() => void loadDirectory(), []);
  const alone = colleagues === 0;
  return (
    <div class="empty">
      {colleagues !== undefined && (
        <p>{alone ? t(admin ? "chatList.emptyAlone" : "chatList.emptyNoColleagues") : t("chatList.empty")}</p>
      )}
      {admin && (
        <a class={`button ${alone ? "primary" : "secondary"}`} href="#/invite">
          {t("chatList.invite")}
        </a>
      )}
    </div>
  );
}

function ChatListItem({
  conversation,
  last,
  selected,
}: {
  conversation: ConversationRecord;
  last: MessageRecord | undefined;
  selected: boolean;
}) {
  const line = last === undefined ? undefined : toLines([last])[0];
  const text = previewText(line);
  // An event names its people itself; a message says whose it is: own ones always, others' in groups.
  const whose =
    line === undefined || line.kind === "event"
      ? text
      : line.record.direction === "out"
        ? t("chatList.yourLine", { text })
        : conversation.kind === "group"
          ? t("chatList.theirLine", { name: line.record.senderName, text })
          : text;
  return (
    <li>
      <a
        class={`chat-item ${selected ? "selected" : ""}`}
        href={`#/chat/${conversation.conversationId}`}
        aria-current={selected ? "page" : undefined}
      >
        <Avatar name={conversation.name} group={conversation.kind === "group"} />
        <span class="chat-item-main">
          <span class="chat-item-top">
            <span class="chat-item-name">{conversation.name}</span>
            {last && <time class="chat-item-time">{formatDay(last.storedAt)}</time>}
          </span>
          <span class="chat-item-bottom">
            <span class="chat-item-preview">{whose}</span>
            {conversation.unread > 0 && (
              <span class="badge" aria-label={t("chatList.unread", { count: conversation.unread })}>
                {conversation.unread}
              </span>
            )}
          </span>
        </span>
      </a>
    </li>
  );
}

function ConnectionBanner() {
  const state = connection.value;
  if (state === "open") return null;
  return (
    <p class="connection" role="status">
      {state === "connecting" ? t("connection.connecting") : t("connection.offline")}
    </p>
  );
}

/** The team inbox, for staff of a contact point and anyone who holds an inquiry. */
function InboxEntry() {
  const count = inquiries.value?.length ?? 0;
  if (count === 0 && staffOf.value.length === 0) return null;
  const fresh = newInquiries();
  return (
    <a class="inbox-entry" href="#/inbox">
      <Icon name="inbox" />
      <span class="inbox-entry-title">{t("inbox.title")}</span>
      {fresh > 0 && (
        <span class="badge" aria-label={t("inbox.newCount", { count: fresh })}>
          {fresh}
        </span>
      )}
    </a>
  );
}

import { useEffect, useState } from "preact/hooks";
import { t } from "../i18n/i18n.js";
import { isBusy } from "../state/actions.js";
import { DISAPPEARING_CHOICES } from "@bote/client/light";
import {
  addMembers,
  leaveGroup,
  loadRoster,
  removeMember,
  renameGroup,
  roster,
  setDisappearing,
} from "../state/groups.js";
import { disappearingDuration } from "./eventText.js";
import { contacts, conversations, keyChanges } from "../state/session.js";
import { Avatar } from "./Avatar.js";
import { DirectoryPicker } from "./DirectoryPicker.js";
import { Icon } from "./icons.js";
import { trustOf } from "./trust.js";

/** Group settings (name, members, leave) or, for a direct chat, the person and their key. */
export function ChatInfo({ conversationId }: { conversationId: string }) {
  const conversation = conversations.value.find((c) => c.conversationId === conversationId);
  const shown = roster.value;
  const members = shown?.conversationId === conversationId ? shown.members : [];
  const [name, setName] = useState(conversation?.name ?? "");
  const [adding, setAdding] = useState(false);
  const busy = isBusy("chatInfo");
  const epoch = conversation?.epoch;

  useEffect(() => void loadRoster(conversationId), [conversationId, epoch]);

  if (conversation === undefined) return <p class="empty">{t("chat.notFound")}</p>;
  const group = conversation.kind === "group";
  return (
    <section class="info" aria-labelledby="info-title">
      <header class="bar">
        <a class="icon-button" href={`#/chat/${conversationId}`} aria-label={t("common.back")}>
          <Icon name="back" />
        </a>
        <h2 id="info-title" class="bar-title">
          {group ? t("groupInfo.title") : t("contactInfo.title")}
        </h2>
      </header>
      <div class="info-body">
        <div class="info-head">
          <Avatar name={conversation.name} group={group} />
          <h3>{conversation.name}</h3>
        </div>
        {group && conversation.active && (
          <form
            class="row-form"
            onSubmit={(e) => {
              e.preventDefault();
              void renameGroup(conversationId, name.trim());
            }}
          >
            <label for="group-name">{t("groupInfo.name")}</label>
            <input
              id="group-name"
              value={name}
              maxLength={100}
              required
              onInput={(e) => setName(e.currentTarget.value)}
            />
            <button
              type="submit"
              class="secondary"
              disabled={busy || name.trim() === "" || name.trim() === conversation.name}
            >
              {t("groupInfo.rename")}
            </button>
          </form>
        )}
        {(group || conversation.kind === "direct") && conversation.active && (
          <DisappearingChoice
            current={conversation.disappearingSeconds ?? 0}
            busy={busy}
            onChoose={(seconds) => void setDisappearing(conversationId, seconds)}
          />
        )}
        <h3 id="members-title">{t("groupInfo.members", { count: members.length })}</h3>
        <ul class="member-list" aria-labelledby="members-title">
          {members.map((m) => {
            const trust = m.self ? undefined : trustOf(contacts.value.get(m.accountId));
            return (
              <li key={m.accountId}>
                <Avatar name={m.name} />
                <span class="member-name">{m.self ? t("groupInfo.you", { name: m.name }) : m.name}</span>
                {trust !== undefined && keyChanges.value.has(m.accountId) ? (
                  <a href={`#/verify/${m.accountId}`} class="trust-chip trust-unverified">
                    {t("trust.keyChangedShort")}
                  </a>
                ) : (
                  trust !== undefined && (
                    <a href={`#/verify/${m.accountId}`} class={`trust-chip trust-${trust}`}>
                      {trust === "organisation" || trust === "verified"
                        ? t("trust.verifiedShort")
                        : t("trust.unverifiedShort")}
                    </a>
                  )
                )}
                {group && conversation.active && !m.self && (
                  <button
                    class="secondary danger"
                    disabled={busy}
                    aria-label={t("groupInfo.removeNamed", { name: m.name })}
                    onClick={() => {
                      if (confirm(t("groupInfo.removeConfirm", { name: m.name })))
                        void removeMember(conversationId, m.accountId);
                    }}
                  >
                    {t("groupInfo.remove")}
                  </button>
                )}
              </li>
            );
          })}
        </ul>
        {group && conversation.active && !adding && (
          <button class="secondary" onClick={() => setAdding(true)} disabled={busy}>
            {t("groupInfo.add")}
          </button>
        )}
        {adding && (
          <DirectoryPicker
            exclude={new Set(members.map((m) => m.accountId))}
            submitLabel={t("groupInfo.addSelected")}
            onCancel={() => setAdding(false)}
            onSubmit={(picked) => void addMembers(conversationId, picked).then((added) => added && setAdding(false))}
          />
        )}
        {group && conversation.active && (
          <button
            class="secondary danger wide"
            disabled={busy}
            onClick={() => {
              if (confirm(t("groupInfo.leaveConfirm"))) void leaveGroup(conversationId);
            }}
          >
            {t("groupInfo.leave")}
          </button>
        )}
      </div>
    </section>
  );
}

/** Aus / 1 Stunde / 1 Tag / 1 Woche / 4 Wochen; a timer set elsewhere to another time shows as one more choice. */
function DisappearingChoice(props: { current: number; busy: boolean; onChoose: (seconds: number) => void }) {
  const choices = DISAPPEARING_CHOICES.includes(props.current)
    ? DISAPPEARING_CHOICES
    : [...DISAPPEARING_CHOICES, props.current];
  return (
    <div class="row-form">
      <label for="disappearing">{t("disappearing.title")}</label>
      <select
        id="disappearing"
        value={String(props.current)}
        disabled={props.busy}
        aria-describedby="disappearing-explain"
        onChange={(e) => props.onChoose(Number(e.currentTarget.value))}
      >
        {choices.map((seconds) => (
          <option key={seconds} value={String(seconds)}>
            {disappearingDuration(seconds)}
          </option>
        ))}
      </select>
      <p id="disappearing-explain" class="hint">
        {t("disappearing.explain")}
      </p>
    </div>
  );
}

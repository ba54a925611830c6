import { useEffect, useState } from "preact/hooks";
import { encodeBase64url } from "@bote/protocol";
import { t } from "../i18n/i18n.js";
import { navigate } from "../state/route.js";
import { contacts, conversations, errorText, keyChanges, requireClient, showToast } from "../state/session.js";
import { Avatar } from "./Avatar.js";
import { DirectoryPicker } from "./DirectoryPicker.js";
import { Icon } from "./icons.js";
import { trustOf } from "./trust.js";

interface MemberRow {
  accountId: string;
  name: string;
  self: boolean;
}

/** Group settings (name, members, leave) or, for a direct chat, the person and their key. */
export function ChatInfo({ conversationId }: { conversationId: string }) {
  const conversation = conversations.value.find((c) => c.conversationId === conversationId);
  const [members, setMembers] = useState<MemberRow[]>([]);
  const [name, setName] = useState(conversation?.name ?? "");
  const [adding, setAdding] = useState(false);
  const [busy, setBusy] = useState(false);
  const epoch = conversation?.epoch;

  useEffect(() => {
    requireClient()
      .members(conversationId)
      .then((roster) =>
        setMembers(
          roster.map((m) => ({
            accountId: encodeBase64url(m.credential.accountId),
            name: m.credential.displayName,
            self: m.self,
          })),
        ),
      )
      .catch((err: unknown) => showToast(errorText(err)));
  }, [conversationId, epoch]);

  if (conversation === undefined) return <p class="empty">{t("chat.notFound")}</p>;
  const run = async (task: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await task();
    } catch (err) {
      showToast(errorText(err));
    } finally {
      setBusy(false);
    }
  };
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
              void run(() => requireClient().rename(conversationId, name.trim()));
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
                        void run(() => requireClient().removeMembers(conversationId, [m.accountId]));
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
            onSubmit={(picked) =>
              void run(async () => {
                await requireClient().addMembers(
                  conversationId,
                  picked.map((p) => p.accountId),
                  picked.map((p) => p.displayName),
                );
                setAdding(false);
              })
            }
          />
        )}
        {group && conversation.active && (
          <button
            class="secondary danger wide"
            disabled={busy}
            onClick={() => {
              if (confirm(t("groupInfo.leaveConfirm")))
                void run(async () => {
                  await requireClient().leave(conversationId);
                  navigate({ screen: "chats" });
                });
            }}
          >
            {t("groupInfo.leave")}
          </button>
        )}
      </div>
    </section>
  );
}

import { useEffect, useState } from "preact/hooks";
import type { Member } from "@bote/protocol/light";
import { t } from "../i18n/i18n.js";
import { directory, directoryProblem, loadDirectory } from "../state/directory.js";
import { contacts } from "../state/session.js";
import { Avatar } from "./Avatar.js";
import { trustOf } from "./trust.js";

/** The colleague directory with search; one person (direct chat) or several (group). */
export function DirectoryPicker({
  exclude = new Set<string>(),
  multiple = true,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  exclude?: ReadonlySet<string>;
  multiple?: boolean;
  submitLabel: string;
  onSubmit: (members: Member[]) => void;
  onCancel?: () => void;
}) {
  const members = directory.value;
  const problem = directoryProblem.value;
  const [query, setQuery] = useState("");
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => void loadDirectory(), []);
  const needle = query.trim().toLocaleLowerCase();
  const shown = (members ?? []).filter(
    (m) => !exclude.has(m.accountId) && (needle === "" || m.displayName.toLocaleLowerCase().includes(needle)),
  );
  const toggle = (accountId: string) => {
    if (!multiple) {
      const member = members?.find((m) => m.accountId === accountId);
      if (member) onSubmit([member]);
      return;
    }
    const next = new Set(picked);
    if (!next.delete(accountId)) next.add(accountId);
    setPicked(next);
  };
  return (
    <div class="directory">
      <label for="directory-search">{t("directory.search")}</label>
      <input
        id="directory-search"
        type="search"
        value={query}
        placeholder={t("directory.searchPlaceholder")}
        onInput={(e) => setQuery(e.currentTarget.value)}
        autoFocus
      />
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      {members === undefined && !problem && <p aria-busy="true">{t("app.loading")}</p>}
      {members !== undefined && shown.length === 0 && <p class="empty">{t("directory.nobody")}</p>}
      <ul class="member-list" aria-label={t("directory.title")}>
        {shown.map((m) => {
          const trust = trustOf(contacts.value.get(m.accountId));
          return (
            <li key={m.accountId}>
              {multiple ? (
                <label class="pick">
                  <input type="checkbox" checked={picked.has(m.accountId)} onChange={() => toggle(m.accountId)} />
                  <Avatar name={m.displayName} />
                  <span class="member-name">{m.displayName}</span>
                </label>
              ) : (
                <button class="pick" onClick={() => toggle(m.accountId)}>
                  <Avatar name={m.displayName} />
                  <span class="member-name">{m.displayName}</span>
                </button>
              )}
              {trust === "unverified" && <span class="trust-chip trust-unverified">{t("trust.unverifiedShort")}</span>}
            </li>
          );
        })}
      </ul>
      {multiple && (
        <div class="dialog-buttons">
          {onCancel && (
            <button class="secondary" onClick={onCancel}>
              {t("common.cancel")}
            </button>
          )}
          <button
            class="primary"
            disabled={picked.size === 0}
            onClick={() => onSubmit((members ?? []).filter((m) => picked.has(m.accountId)))}
          >
            {submitLabel}
          </button>
        </div>
      )}
    </div>
  );
}

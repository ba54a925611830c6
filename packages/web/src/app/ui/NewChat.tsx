import { useState } from "preact/hooks";
import type { Member } from "@bote/protocol/light";
import { t } from "../i18n/i18n.js";
import { isBusy } from "../state/actions.js";
import { createGroup, openDirectChat } from "../state/groups.js";
import { showToast } from "../state/session.js";
import { DirectoryPicker } from "./DirectoryPicker.js";
import { Icon } from "./icons.js";

/** A direct chat with one colleague, or a named group with several. */
export function NewChat({ group }: { group: boolean }) {
  const [name, setName] = useState("");
  const busy = isBusy("newChat");
  const start = (members: Member[]) => {
    if (group)
      void createGroup(
        name.trim(),
        members.map((m) => m.accountId),
      );
    else if (members[0] !== undefined) void openDirectChat(members[0].accountId);
  };
  return (
    <section class="info" aria-labelledby="new-title">
      <header class="bar">
        <a class="icon-button back" href="#/" aria-label={t("common.back")}>
          <Icon name="back" />
        </a>
        <h2 id="new-title" class="bar-title">
          {group ? t("newChat.groupTitle") : t("newChat.title")}
        </h2>
      </header>
      <div class="info-body" aria-busy={busy}>
        {group && (
          <>
            <label for="new-group-name">{t("newChat.groupName")}</label>
            <input
              id="new-group-name"
              value={name}
              maxLength={100}
              required
              placeholder={t("newChat.groupNamePlaceholder")}
              onInput={(e) => setName(e.currentTarget.value)}
            />
          </>
        )}
        {busy ? (
          <p aria-busy="true">{t("newChat.creating")}</p>
        ) : (
          <DirectoryPicker
            multiple={group}
            submitLabel={t("newChat.createGroup")}
            onSubmit={(members) => {
              if (group && name.trim() === "") showToast(t("newChat.nameMissing"));
              else start(members);
            }}
          />
        )}
      </div>
    </section>
  );
}

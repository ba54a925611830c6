import { useEffect, useRef, useState } from "preact/hooks";
import type { Role } from "@bote/protocol/light";
import { formatDateTime, t } from "../i18n/i18n.js";
import {
  canShare,
  copyInvitation,
  createdInvitation,
  forgetCreatedInvitation,
  holdsOrganisationKey,
  inviteColleague,
  shareInvitation,
} from "../state/administration.js";
import { isBusy } from "../state/actions.js";
import { Icon } from "./icons.js";

/**
 * Inviting on a screen of its own: where the admin's empty chat list points,
 * so the first thing a new organisation does needs no detour through the
 * settings.
 */
export function InviteScreen() {
  useEffect(() => forgetCreatedInvitation, []);
  return (
    <section class="info" aria-labelledby="invite-screen-title">
      <header class="bar">
        <a class="icon-button back" href="#/" aria-label={t("common.back")}>
          <Icon name="back" />
        </a>
        <h2 id="invite-screen-title" class="bar-title">
          {t("invite.screenTitle")}
        </h2>
      </header>
      <div class="info-body">
        {!holdsOrganisationKey() && (
          <p class="warning" role="status">
            <Icon name="warning" size={18} />
            {t("admin.noKey")}
          </p>
        )}
        <InviteForm folded={false} />
      </div>
    </section>
  );
}

/**
 * The admin names the colleague and picks a role; the organisation key signs
 * both into the invitation, so the newcomer cannot choose another name. The
 * link comes as text, QR code, a copy button and, where the system has a
 * share sheet, a share button.
 */
export function InviteForm({ folded = true }: { folded?: boolean }) {
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("member");
  const made = createdInvitation.value;
  const busy = isBusy("admin");
  // Folded until wanted, so the member list is the first thing the Verwaltung shows on a phone.
  const [open, setOpen] = useState(!folded);
  const result = useRef<HTMLDivElement>(null);
  // The new link, its QR code and the share button come into view, below the form on a phone.
  useEffect(() => result.current?.scrollIntoView({ block: "start" }), [made?.url]);
  if (!open) {
    return (
      <div class="invite">
        <button class="primary" onClick={() => setOpen(true)}>
          {t("invite.title")}
        </button>
      </div>
    );
  }
  return (
    // On its own screen the bar names it; in the Verwaltung a heading of its own does.
    <section class="invite" aria-labelledby={folded ? "invite-title" : "invite-screen-title"}>
      {folded && <h3 id="invite-title">{t("invite.title")}</h3>}
      <form
        class="row-form"
        onSubmit={(e) => {
          e.preventDefault();
          void inviteColleague(name, role).then((ok) => {
            if (ok) setName("");
          });
        }}
      >
        <label for="invite-name">{t("invite.nameLabel")}</label>
        <input
          id="invite-name"
          autocomplete="off"
          maxLength={64}
          required
          placeholder={t("invite.namePlaceholder")}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <p class="hint">{t("invite.nameHint")}</p>
        <fieldset class="choice">
          <legend>{t("invite.role")}</legend>
          {(["member", "admin"] as const).map((r) => (
            <label key={r}>
              <input type="radio" name="invite-role" value={r} checked={role === r} onChange={() => setRole(r)} />
              {r === "admin" ? t("invite.roleAdmin") : t("invite.roleMember")}
            </label>
          ))}
        </fieldset>
        <p class="hint">{t("invite.hint")}</p>
        <button type="submit" class="primary" disabled={busy || name.trim() === ""}>
          {busy ? t("invite.creating") : t("invite.create")}
        </button>
      </form>
      {made && (
        <div class="invitation-made" ref={result}>
          <h4>{t("invite.createdFor", { name: made.displayName })}</h4>
          <p class="hint">{t("invite.validUntil", { date: formatDateTime(Date.parse(made.expiresAt)) })}</p>
          <img class="qr" src={made.qr} alt={t("invite.qrAlt", { name: made.displayName })} width={280} height={280} />
          <label for="invite-link">{t("invite.link")}</label>
          <textarea id="invite-link" readOnly rows={4} value={made.url} onFocus={(e) => e.currentTarget.select()} />
          <div class="button-row">
            {canShare() && (
              <button class="primary" onClick={() => void shareInvitation(made)}>
                {t("invite.share")}
              </button>
            )}
            <button class={canShare() ? "secondary" : "primary"} onClick={() => void copyInvitation(made)}>
              {t("invite.copy")}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}

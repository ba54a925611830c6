import { useEffect, useState } from "preact/hooks";
import type { InvitationSummary } from "@bote/protocol/light";
import { formatDateTime, t } from "../i18n/i18n.js";
import {
  adminProblem,
  createRecoveryKit,
  deactivateMember,
  forgetCreatedInvitation,
  holdsOrganisationKey,
  invitations,
  loadAdministration,
  members,
  revokeDevice,
  revokeInvitation,
  rotateOrganisationKey,
  setMemberRole,
  type DeviceView,
  type MemberView,
} from "../state/administration.js";
import { isBusy } from "../state/actions.js";
import { Avatar } from "./Avatar.js";
import { ConfirmDialog } from "./ConfirmDialog.js";
import { Icon } from "./icons.js";
import { PassphraseFields, passphraseReady } from "./PassphraseFields.js";
import { InviteForm } from "./Invite.js";
import { DepartmentEditor } from "./DepartmentEditor.js";
import { PolicyEditor } from "./Policies.js";

type Question =
  | { kind: "deactivate"; member: MemberView }
  | { kind: "device"; member: MemberView; device: DeviceView }
  | { kind: "rotate" };

/** The admin's screen: invite, members and their devices, invitations, recovery kit, key rotation. */
export function Administration() {
  const [question, setQuestion] = useState<Question | undefined>();
  useEffect(() => {
    void loadAdministration();
    return forgetCreatedInvitation;
  }, []);
  const answer = async (q: Question) => {
    const done =
      q.kind === "deactivate"
        ? await deactivateMember(q.member)
        : q.kind === "device"
          ? await revokeDevice(q.member, q.device)
          : await rotateOrganisationKey();
    if (done) setQuestion(undefined);
  };
  return (
    <section class="info" aria-labelledby="admin-title">
      <header class="bar">
        <a class="icon-button back" href="#/settings" aria-label={t("common.back")}>
          <Icon name="back" />
        </a>
        <h2 id="admin-title" class="bar-title">
          {t("admin.title")}
        </h2>
      </header>
      <div class="info-body" aria-busy={isBusy("admin")}>
        {!holdsOrganisationKey() && (
          <p class="warning" role="status">
            <Icon name="warning" size={18} />
            {t("admin.noKey")}
          </p>
        )}
        <InviteForm />
        <a class="secondary link-button" href="#/invite-csv">
          {t("staffBatch.open")}
        </a>
        <section class="admin-section" aria-labelledby="admin-contact-points-title">
          <h3 id="admin-contact-points-title">{t("contactPoints.title")}</h3>
          <p class="hint">{t("contactPoints.explain")}</p>
          <a class="secondary link-button" href="#/contact-points">
            {t("contactPoints.open")}
          </a>
        </section>
        <PolicyEditor />
        <section class="admin-section" aria-labelledby="admin-audit-title">
          <h3 id="admin-audit-title">{t("audit.title")}</h3>
          <p class="hint">{t("audit.explain")}</p>
          <a class="secondary link-button" href="#/audit">
            {t("audit.open")}
          </a>
        </section>
        <section class="admin-section" aria-labelledby="admin-privacy-title">
          <h3 id="admin-privacy-title">{t("privacy.title")}</h3>
          <p class="hint">{t("privacy.explain")}</p>
          <a class="secondary link-button" href="#/privacy">
            {t("privacy.open")}
          </a>
        </section>
        <MemberList ask={setQuestion} />
        <InvitationList />
        <RecoveryKit />
        <section class="admin-section" aria-labelledby="rotate-title">
          <h3 id="rotate-title">{t("admin.rotateTitle")}</h3>
          <p class="hint">{t("admin.rotateExplain")}</p>
          <button class="secondary danger" disabled={isBusy("admin")} onClick={() => setQuestion({ kind: "rotate" })}>
            {t("admin.rotate")}
          </button>
        </section>
      </div>
      {question && (
        <ConfirmDialog
          {...questionTexts(question)}
          busy={isBusy("admin")}
          onConfirm={() => void answer(question)}
          onCancel={() => setQuestion(undefined)}
        />
      )}
    </section>
  );
}

function questionTexts(q: Question): { title: string; text: string; confirmLabel: string } {
  switch (q.kind) {
    case "deactivate":
      return {
        title: t("admin.deactivateTitle", { name: q.member.displayName }),
        text: t("admin.deactivateExplain", { name: q.member.displayName }),
        confirmLabel: t("admin.deactivateConfirm"),
      };
    case "device":
      return {
        title: t("admin.revokeDeviceTitle", { name: q.member.displayName }),
        text: t("admin.revokeDeviceExplain", { name: q.member.displayName, key: q.device.label }),
        confirmLabel: t("admin.revokeDevice"),
      };
    case "rotate":
      return {
        title: t("admin.rotateConfirmTitle"),
        text: t("admin.rotateExplain"),
        confirmLabel: t("admin.rotateConfirm"),
      };
  }
}

function stateText(state: MemberView["state"]): string {
  switch (state) {
    case "confirmed":
      return t("admin.confirmed");
    case "provisional":
      return t("admin.provisional");
    case "unconfirmed":
      return t("admin.unconfirmed");
  }
}

function MemberList({ ask }: { ask: (q: Question) => void }) {
  const list = members.value;
  const busy = isBusy("admin");
  return (
    <section class="admin-section" aria-labelledby="admin-members-title">
      <h3 id="admin-members-title">{t("admin.members")}</h3>
      {adminProblem.value && (
        <p class="error" role="alert">
          {adminProblem.value}
        </p>
      )}
      {list === undefined && !adminProblem.value && <p aria-busy="true">{t("admin.loading")}</p>}
      <ul class="admin-members" aria-labelledby="admin-members-title">
        {(list ?? []).map((m) => (
          <li key={m.accountId} class="admin-member">
            <div class="admin-member-head">
              <Avatar name={m.displayName} />
              <span class="member-name">
                <span class="admin-member-name">
                  {m.self ? t("admin.you", { name: m.displayName }) : m.displayName}
                </span>
                <span class="chips">
                  <span class={`role-chip role-${m.role}`}>
                    {m.role === "admin" ? t("admin.roleAdmin") : t("admin.roleMember")}
                  </span>
                  <span class={`state-chip state-${m.state}`}>{stateText(m.state)}</span>
                </span>
              </span>
            </div>
            {!m.self && (
              <div class="button-row">
                <button
                  class="secondary small"
                  disabled={busy}
                  aria-label={
                    m.role === "admin"
                      ? t("admin.makeMemberNamed", { name: m.displayName })
                      : t("admin.makeAdminNamed", { name: m.displayName })
                  }
                  onClick={() => void setMemberRole(m, m.role === "admin" ? "member" : "admin")}
                >
                  {m.role === "admin" ? t("admin.makeMember") : t("admin.makeAdmin")}
                </button>
                <button
                  class="secondary danger small"
                  disabled={busy}
                  aria-label={t("admin.deactivateNamed", { name: m.displayName })}
                  onClick={() => ask({ kind: "deactivate", member: m })}
                >
                  {t("admin.deactivate")}
                </button>
              </div>
            )}
            <DepartmentEditor member={m} />
            <ul class="admin-devices" aria-label={t("admin.devices", { name: m.displayName })}>
              {m.devices.length === 0 && <li class="hint">{t("admin.noDevices")}</li>}
              {m.devices.map((d) => (
                <li key={d.publicKey}>
                  <span class="device-name">
                    {d.self ? t("admin.thisDevice", { key: d.label }) : t("admin.device", { key: d.label })}
                  </span>
                  {!d.self && (
                    <button
                      class="secondary danger small"
                      disabled={busy}
                      aria-label={t("admin.revokeDeviceNamed", { name: m.displayName, key: d.label })}
                      onClick={() => ask({ kind: "device", member: m, device: d })}
                    >
                      {t("admin.revokeDevice")}
                    </button>
                  )}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </section>
  );
}

function InvitationList() {
  const list = invitations.value;
  const busy = isBusy("admin");
  return (
    <section class="admin-section" aria-labelledby="admin-invitations-title">
      <h3 id="admin-invitations-title">{t("admin.invitations")}</h3>
      {list !== undefined && list.length === 0 && <p class="hint">{t("admin.noInvitations")}</p>}
      <ul class="admin-invitations" aria-labelledby="admin-invitations-title">
        {(list ?? []).map((i: InvitationSummary) => (
          <li key={i.invitationId}>
            <span class="member-name">
              <span class="admin-member-name">{i.displayName}</span>
              <span class="chips">
                <span class={`role-chip role-${i.role}`}>
                  {i.role === "admin" ? t("admin.roleAdmin") : t("admin.roleMember")}
                </span>
                <span class={`state-chip invitation-${i.state}`}>{t(`admin.states.${i.state}`)}</span>
                {i.state === "open" && (
                  <span class="hint">
                    {t("admin.invitationUntil", { date: formatDateTime(Date.parse(i.expiresAt)) })}
                  </span>
                )}
              </span>
            </span>
            {i.state === "open" && (
              <button
                class="secondary danger small"
                disabled={busy}
                aria-label={t("admin.revokeInvitationNamed", { name: i.displayName })}
                onClick={() => void revokeInvitation(i)}
              >
                {t("admin.revokeInvitation")}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function RecoveryKit() {
  const [first, setFirst] = useState("");
  const [second, setSecond] = useState("");
  const [code, setCode] = useState<string | undefined>();
  const busy = isBusy("admin");
  return (
    <section class="admin-section" aria-labelledby="recovery-title">
      <h3 id="recovery-title">{t("admin.recoveryTitle")}</h3>
      <p class="hint">{t("admin.recoveryExplain")}</p>
      <form
        class="row-form"
        onSubmit={(e) => {
          e.preventDefault();
          void createRecoveryKit(first).then((made) => {
            if (made === undefined) return;
            setCode(made);
            setFirst("");
            setSecond("");
          });
        }}
      >
        <PassphraseFields id="recovery" first={first} second={second} onFirst={setFirst} onSecond={setSecond} />
        <button type="submit" class="secondary" disabled={busy || !passphraseReady(first, second)}>
          {busy ? t("admin.recoveryCreating") : t("admin.recoveryCreate")}
        </button>
      </form>
      {code && (
        <div class="print-area">
          <h4>{t("admin.recoveryCode")}</h4>
          <p class="recovery-code">{code}</p>
          <p class="hint">{t("admin.recoveryCodeHint")}</p>
          <button class="secondary no-print" onClick={() => print()}>
            {t("admin.print")}
          </button>
        </div>
      )}
    </section>
  );
}

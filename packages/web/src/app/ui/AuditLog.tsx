import { useEffect } from "preact/hooks";
import type { AuditEntry } from "@bote/core";
import { formatDateTime, t } from "../i18n/i18n.js";
import {
  AUDIT_CATEGORIES,
  auditCategory,
  auditEntries,
  auditProblem,
  auditSearch,
  exportAuditLog,
  loadAuditLog,
  shownAuditEntries,
  type AuditCategory,
} from "../state/audit.js";
import { isBusy } from "../state/actions.js";
import { Icon } from "./icons.js";

/** One entry as a sentence; the names are the organisation's certificates', never the server's word. */
function sentence(e: AuditEntry): string {
  const named = (name: string, id: string) => name || t("audit.someone", { id: id.slice(0, 8) });
  const actor = named(e.actorName, e.actorId);
  const subject = named(e.subjectName, e.subjectId);
  const admin = e.role === "admin";
  switch (e.action) {
    case "invited":
      return t(admin ? "audit.actions.invitedAdmin" : "audit.actions.invitedMember", { actor, subject });
    case "invitation_revoked":
      return t("audit.actions.invitationRevoked", { actor, subject });
    case "joined":
      return t(admin ? "audit.actions.joinedAdmin" : "audit.actions.joinedMember", { actor });
    case "account_created":
      return t(admin ? "audit.actions.accountCreatedAdmin" : "audit.actions.accountCreatedMember", { actor, subject });
    case "promoted":
      return t("audit.actions.promoted", { actor, subject });
    case "demoted":
      return t("audit.actions.demoted", { actor, subject });
    case "renamed":
      return t("audit.actions.renamed", { actor, subject, detail: e.detail });
    case "deactivated":
      return t("audit.actions.deactivated", { actor, subject });
    case "device_revoked":
      return t("audit.actions.deviceRevoked", { actor, subject, detail: e.detail.slice(0, 8) });
    case "key_rotated":
      return t("audit.actions.keyRotated", { actor });
    case "contact_point_created":
      return t("audit.actions.contactPointCreated", { actor, subject });
    case "contact_point_changed":
      return t("audit.actions.contactPointChanged", { actor, subject });
    case "contact_point_closed":
      return t("audit.actions.contactPointClosed", { actor, subject });
    case "contact_point_reopened":
      return t("audit.actions.contactPointReopened", { actor, subject });
    case "policy_changed":
      return t("audit.actions.policyChanged", { actor });
    case "department_changed":
      return t("audit.actions.departmentChanged", { actor, subject, detail: e.detail });
  }
}

/** The admin's Protokoll: signed admin actions, newest first, filtered, exported as CSV or JSON. */
export function AuditLog() {
  useEffect(() => {
    void loadAuditLog();
  }, []);
  const all = auditEntries.value;
  const shown = shownAuditEntries.value;
  const busy = isBusy("admin");
  return (
    <section class="info" aria-labelledby="audit-title">
      <header class="bar">
        <a class="icon-button back" href="#/admin" aria-label={t("common.back")}>
          <Icon name="back" />
        </a>
        <h2 id="audit-title" class="bar-title">
          {t("audit.title")}
        </h2>
      </header>
      <div class="info-body" aria-busy={all === undefined}>
        <p class="hint">{t("audit.explain")}</p>
        <div class="audit-filters">
          <label for="audit-category">{t("audit.filterLabel")}</label>
          <select
            id="audit-category"
            value={auditCategory.value}
            onChange={(e) => (auditCategory.value = e.currentTarget.value as AuditCategory)}
          >
            {AUDIT_CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {t(`audit.categories.${c}`)}
              </option>
            ))}
          </select>
          <label for="audit-search">{t("audit.searchLabel")}</label>
          <input
            id="audit-search"
            type="search"
            value={auditSearch.value}
            onInput={(e) => (auditSearch.value = e.currentTarget.value)}
          />
        </div>
        <div class="button-row">
          <button
            class="secondary small"
            disabled={busy || shown.length === 0}
            onClick={() => void exportAuditLog("csv")}
          >
            {t("audit.exportCsv")}
          </button>
          <button
            class="secondary small"
            disabled={busy || shown.length === 0}
            onClick={() => void exportAuditLog("json")}
          >
            {t("audit.exportJson")}
          </button>
        </div>
        {auditProblem.value && (
          <p class="error" role="alert">
            {auditProblem.value}
          </p>
        )}
        {all === undefined && !auditProblem.value && <p aria-busy="true">{t("audit.loading")}</p>}
        {all !== undefined && shown.length === 0 && <p class="hint">{t("audit.empty")}</p>}
        <ol class="audit-entries" aria-labelledby="audit-title">
          {shown.map((e) => (
            <li key={e.seq} class={`audit-entry ${e.verified ? "" : "unverified"}`}>
              <time dateTime={e.at}>{formatDateTime(Date.parse(e.at))}</time>
              <span class="audit-sentence">{sentence(e)}</span>
              <span class="chips">
                <span class={`state-chip ${e.verified ? "state-confirmed" : "state-unconfirmed"}`}>
                  {e.verified ? t("audit.verified") : t("audit.unverified")}
                </span>
                <code class="audit-hash" title={e.statementHash}>
                  {t("audit.hash", { hash: e.statementHash.slice(0, 12) })}
                </code>
              </span>
            </li>
          ))}
        </ol>
      </div>
    </section>
  );
}

/**
 * The admin's Protokoll: the organisation's signed admin actions, folded on
 * this device (client.auditLog), newest first; a filter by kind and name;
 * and the same CSV and JSON files `bote admin audit` writes.
 */
import { computed, signal } from "@preact/signals";
import { auditCsv, auditJson } from "@bote/core/light";
import type { AuditAction, AuditEntry } from "@bote/core";
import { t } from "../i18n/i18n.js";
import { runAction } from "./actions.js";
import { errorText, requireClient, showToast } from "./session.js";

export type AuditCategory = "all" | "invitations" | "members" | "offboarding" | "keys" | "contactPoints" | "policies";
export const AUDIT_CATEGORIES: readonly AuditCategory[] = [
  "all",
  "invitations",
  "members",
  "offboarding",
  "keys",
  "contactPoints",
  "policies",
];

export function categoryOf(action: AuditAction): Exclude<AuditCategory, "all"> {
  switch (action) {
    case "invited":
    case "invitation_revoked":
      return "invitations";
    case "joined":
    case "account_created":
    case "promoted":
    case "demoted":
    case "renamed":
    case "department_changed":
      return "members";
    case "deactivated":
    case "device_revoked":
      return "offboarding";
    case "key_rotated":
      return "keys";
    case "contact_point_created":
    case "contact_point_changed":
    case "contact_point_closed":
    case "contact_point_reopened":
      return "contactPoints";
    case "policy_changed":
      return "policies";
    default: {
      const unknown: never = action;
      throw new RangeError(`unknown audit action ${String(unknown)}`);
    }
  }
}

export const auditEntries = signal<readonly AuditEntry[] | undefined>(undefined);
export const auditProblem = signal<string | undefined>(undefined);
export const auditCategory = signal<AuditCategory>("all");
export const auditSearch = signal("");

export const shownAuditEntries = computed(() => {
  const query = auditSearch.value.trim().toLocaleLowerCase();
  return (auditEntries.value ?? []).filter(
    (e) =>
      (auditCategory.value === "all" || categoryOf(e.action) === auditCategory.value) &&
      (query === "" ||
        e.actorName.toLocaleLowerCase().includes(query) ||
        e.subjectName.toLocaleLowerCase().includes(query)),
  );
});

export async function loadAuditLog(): Promise<void> {
  try {
    auditEntries.value = await requireClient().auditLog();
    auditProblem.value = undefined;
  } catch (err) {
    auditProblem.value = errorText(err);
  }
}

function download(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = Object.assign(document.createElement("a"), { href: url, download: fileName });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** What is shown (the filter applies), oldest first in the file, as a ledger reads. */
export function exportAuditLog(format: "csv" | "json"): Promise<unknown> {
  return runAction("admin", () => {
    const entries = [...shownAuditEntries.value].reverse();
    const day = new Date().toISOString().slice(0, 10);
    const file = `bote-protokoll-${day}.${format}`;
    if (format === "csv") download(file, auditCsv(entries), "text/csv;charset=utf-8");
    else download(file, auditJson(entries), "application/json");
    showToast(t("audit.exported", { file }));
    return Promise.resolve();
  });
}

import type { ContactRecord, OrganisationView } from "@bote/core";
import { decodeAccountCertificate, equalBytes, type Member, type Role } from "@bote/protocol";
import { bytesFrom } from "./ServerApi.js";

/** One account as this device sees it: the server's listing, checked against the organisation's chain. */
export interface DirectoryEntry {
  readonly member: Member;
  /** The account key the server lists is the one this device accepted for the account, on a chain that holds. */
  readonly confirmed: boolean;
  /** From the verified certificate when confirmed; otherwise the server's word, to be shown as unconfirmed. */
  readonly displayName: string;
  readonly role: Role;
  /** Still on a provisional certificate (made with its invitation key), until an admin device confirms it. */
  readonly provisional: boolean;
  /** From the newest org-signed directory entry for the account; "" when there is none. */
  readonly department: string;
  readonly title: string;
  readonly contact: ContactRecord | undefined;
}

export function directoryEntry(view: OrganisationView, member: Member): Omit<DirectoryEntry, "contact"> {
  const entry = view.accounts.get(member.accountId);
  const listed = decodeAccountCertificate(bytesFrom(member.certificate, "certificate"));
  const confirmed =
    entry !== undefined && listed.ok && equalBytes(entry.certificate.accountKey, listed.value.accountKey);
  // Signed by the organisation key itself, so it holds whatever the server listed beside it.
  const details = view.directory.get(member.accountId);
  const department = details?.department ?? "";
  const title = details?.title ?? "";
  if (!confirmed) {
    return {
      member,
      confirmed,
      displayName: member.displayName,
      role: member.role,
      provisional: false,
      department,
      title,
    };
  }
  return {
    member,
    confirmed,
    department,
    title,
    displayName: entry.certificate.displayName,
    role: entry.certificate.role,
    provisional: entry.certificate.issuer.kind === "invitation",
  };
}

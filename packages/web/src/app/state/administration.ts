/**
 * The admin's Verwaltung: the organisation's members with their devices,
 * the invitations, and the actions on them. Every SDK call of the screen is
 * an action here; each runs under the busy key "admin" (state/actions.ts),
 * says what it did in a toast (or why it failed), and reloads the lists it
 * changed.
 */
import { signal } from "@preact/signals";
import { loadQrCode } from "./qrCode.js";
import type { DirectoryEntry } from "@bote/client";
import { publicKeyOf } from "./loadedSdk.js";
import { encodeBase64url, equalBytes, type InvitationSummary, type Role } from "@bote/protocol/light";
import { t } from "../i18n/i18n.js";
import { isBusy, runAction } from "./actions.js";
import { errorText, requireClient, showToast } from "./session.js";

export interface MemberView {
  readonly accountId: string;
  readonly displayName: string;
  readonly role: Role;
  readonly state: "confirmed" | "provisional" | "unconfirmed";
  readonly self: boolean;
  readonly devices: readonly DeviceView[];
  /** From the organisation's signed directory entry; "" when none. */
  readonly department: string;
  readonly title: string;
}

export interface DeviceView {
  readonly publicKey: string;
  /** A short, readable part of the device key, to tell two devices apart. */
  readonly label: string;
  readonly self: boolean;
}

export interface CreatedInvitation {
  readonly displayName: string;
  readonly url: string;
  readonly expiresAt: string;
  /** The link as a QR code (data: URL), to scan with the newcomer's phone. */
  readonly qr: string;
}

export const members = signal<readonly MemberView[] | undefined>(undefined);
export const invitations = signal<readonly InvitationSummary[] | undefined>(undefined);
export const adminProblem = signal<string | undefined>(undefined);
export const createdInvitation = signal<CreatedInvitation | undefined>(undefined);

/**
 * Whether this device holds the organisation's current key, which every
 * admin action signs with. A newly promoted admin's device gets it from
 * another admin device, end to end; until then the actions would fail.
 */
export function holdsOrganisationKey(): boolean {
  const client = requireClient();
  const signKey = client.profile.organisationSignKey;
  const publicKey = signKey === undefined ? undefined : publicKeyOf(signKey);
  return publicKey !== undefined && equalBytes(publicKey, client.organisation.currentKey);
}

/** Dividing a key into groups of four makes it easier to compare aloud. */
function deviceLabel(publicKey: string): string {
  return publicKey.slice(0, 8).replace(/(.{4})(?=.)/g, "$1 ");
}

function memberView(entry: DirectoryEntry): MemberView {
  const client = requireClient();
  const own = encodeBase64url(client.device.signatureKeyPair.publicKey);
  const revoked = client.organisation.revokedDevices;
  return {
    accountId: entry.member.accountId,
    displayName: entry.displayName,
    role: entry.role,
    state: !entry.confirmed ? "unconfirmed" : entry.provisional ? "provisional" : "confirmed",
    self: entry.member.accountId === client.profile.accountId,
    department: entry.department,
    title: entry.title,
    devices: entry.member.devices
      .filter((d) => !revoked.has(d.publicKey))
      .map((d) => ({ publicKey: d.publicKey, label: deviceLabel(d.publicKey), self: d.publicKey === own })),
  };
}

function byName(a: { displayName: string }, b: { displayName: string }): number {
  return a.displayName.localeCompare(b.displayName);
}

let watching: object | undefined;
let seenSeq = -1;
let reloading = false;
let reloadAgain = false;

/** Leaving the Verwaltung: the link was shared or is given up; the invitation list still shows it. */
export function forgetCreatedInvitation(): void {
  createdInvitation.value = undefined;
}

/** Loads members and invitations; later changes of the organisation's log reload them. */
export async function loadAdministration(): Promise<void> {
  const client = requireClient();
  if (watching !== client) {
    watching = client;
    // Every sync reports its position, the lists' own reload included: only a new one reloads.
    client.on("organisation", ({ seq }) => {
      if (seq === seenSeq) return;
      seenSeq = seq;
      // A change that lands while a reload reads may be missing from it: read once more after.
      if (reloading) reloadAgain = true;
      else void reloadLists();
    });
  }
  try {
    // Also confirms newcomers' provisional certificates with this admin device, in the background.
    await client.syncOrganisation();
  } catch {
    // Offline: the lists below say so.
  }
  await reloadLists();
}

async function reloadLists(): Promise<void> {
  const client = requireClient();
  reloading = true;
  try {
    const [entries, listed] = await Promise.all([client.organisationMembers(), client.invitations()]);
    const revoked = client.organisation.revokedAccounts;
    members.value = entries
      .filter((e) => !revoked.has(e.member.accountId))
      .map(memberView)
      .sort(byName);
    invitations.value = [...listed.invitations].sort((a, b) => b.expiresAt.localeCompare(a.expiresAt));
    adminProblem.value = undefined;
  } catch (err) {
    adminProblem.value = errorText(err);
  } finally {
    reloading = false;
    if (reloadAgain) {
      reloadAgain = false;
      void reloadLists();
    }
  }
}

/** One admin action at a time: busy while it runs, a toast after, the lists reloaded. */
async function act(task: () => Promise<void>, done: () => string): Promise<boolean> {
  if (isBusy("admin")) return false;
  const acted = await runAction("admin", async () => {
    await task();
    showToast(done());
    await reloadLists();
    return true;
  });
  return acted === true;
}

export function inviteColleague(displayName: string, role: Role): Promise<boolean> {
  const name = displayName.normalize("NFC").trim();
  return act(
    async () => {
      createdInvitation.value = undefined;
      const made = await requireClient().createInvitation(role, name);
      const qr = await (await loadQrCode()).toDataURL(made.url, { margin: 1, width: 280, errorCorrectionLevel: "L" });
      createdInvitation.value = { displayName: name, url: made.url, expiresAt: made.expiresAt, qr };
    },
    () => t("invite.createdFor", { name }),
  );
}

/** A person's department in the directory, signed with the organisation key; "" clears it. */
export function setDepartment(member: MemberView, department: string): Promise<boolean> {
  const value = department.normalize("NFC").trim();
  return act(
    () => requireClient().setDirectoryEntry(member.accountId, { department: value, title: member.title }),
    () => t("admin.departmentSet", { name: member.displayName }),
  );
}

/** Whether the system has a share sheet (phones, some desktops): only then is there a share button. */
export function canShare(): boolean {
  return typeof navigator.share === "function";
}

/** The system's share sheet where there is one, the clipboard if it refuses. */
export async function shareInvitation(invitation: CreatedInvitation): Promise<void> {
  const data: ShareData = {
    title: t("invite.shareTitle"),
    text: t("invite.shareText", { name: invitation.displayName }),
    url: invitation.url,
  };
  if (canShare() && (navigator.canShare?.(data) ?? true)) {
    try {
      await navigator.share(data);
      return;
    } catch (err) {
      // Closing the share sheet is no failure; anything else falls back to copying.
      if (err instanceof DOMException && err.name === "AbortError") return;
    }
  }
  await copyInvitation(invitation);
}

export async function copyInvitation(invitation: CreatedInvitation): Promise<void> {
  try {
    await navigator.clipboard.writeText(invitation.url);
    showToast(t("invite.copied"));
  } catch {
    showToast(t("invite.copyFailed"));
  }
}

export function deactivateMember(member: MemberView): Promise<boolean> {
  return act(
    () => requireClient().deactivate(member.accountId),
    () => t("admin.deactivated", { name: member.displayName }),
  );
}

export function setMemberRole(member: MemberView, role: Role): Promise<boolean> {
  return act(
    () => requireClient().setRole(member.accountId, role),
    () =>
      role === "admin"
        ? t("admin.nowAdmin", { name: member.displayName })
        : t("admin.nowMember", { name: member.displayName }),
  );
}

export function revokeDevice(member: MemberView, device: DeviceView): Promise<boolean> {
  return act(
    () => requireClient().revokeDevice(member.accountId, device.publicKey),
    () => t("admin.deviceRevoked", { name: member.displayName }),
  );
}

export function revokeInvitation(invitation: InvitationSummary): Promise<boolean> {
  return act(
    () => requireClient().revokeInvitation(invitation.certificate),
    () => t("admin.invitationRevoked", { name: invitation.displayName }),
  );
}

export function rotateOrganisationKey(): Promise<boolean> {
  return act(
    () => requireClient().rotateOrganisationKey(),
    () => t("admin.rotated"),
  );
}

export const RECOVERY_FILE = "bote-wiederherstellung.json";
export const MIN_PASSPHRASE_CHARS = 12;

/** Seals the organisation key under the passphrase, downloads the kit, and returns the printable code. */
export async function createRecoveryKit(passphrase: string): Promise<string | undefined> {
  let code: string | undefined;
  await act(
    async () => {
      const made = await requireClient().recoveryKit(passphrase);
      download(RECOVERY_FILE, JSON.stringify(made.kit, null, 2));
      code = made.code;
    },
    () => t("admin.recoverySaved"),
  );
  return code;
}

export function download(fileName: string, json: string): void {
  const url = URL.createObjectURL(new Blob([json], { type: "application/json" }));
  const a = Object.assign(document.createElement("a"), { href: url, download: fileName });
  document.body.append(a);
  a.click();
  a.remove();
  // The click has started the download; the URL is not needed after this turn.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * The admin's contact points: the public pages where customers write in.
 * Each is an org-signed statement in the organisation's log (the SDK signs
 * and uploads it); its QR code is made here, as PNG and SVG, to print on the
 * van, the website or an invoice.
 */
import { signal } from "@preact/signals";
import { loadQrCode } from "./qrCode.js";
import { contactPointUrl } from "@bote/client/light";
import type { ContactPointInput } from "@bote/client";
import { encodeBase64url, type ContactPoint } from "@bote/protocol/light";
import { t } from "../i18n/i18n.js";
import { runAction } from "./actions.js";
import { requireClient, showToast } from "./session.js";

export interface ContactPointView {
  readonly contactPoint: ContactPoint;
  readonly url: string;
  /** data: URLs of the QR code. */
  readonly png: string;
  readonly svg: string;
}

export const contactPointViews = signal<readonly ContactPointView[]>([]);
/** The one just made, shown with its QR code at the top. */
export const createdContactPoint = signal<string | undefined>(undefined);

async function viewOf(contactPoint: ContactPoint): Promise<ContactPointView> {
  const url = contactPointUrl(requireClient().profile.serverUrl, contactPoint.slug);
  // "M": a printed code on a van survives some dirt and glare.
  const options = { margin: 2, errorCorrectionLevel: "M" } as const;
  const QRCode = await loadQrCode();
  const png = await QRCode.toDataURL(url, { ...options, width: 512 });
  const svg = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(await QRCode.toString(url, { ...options, type: "svg" }))}`;
  return { contactPoint, url, png, svg };
}

export async function loadContactPoints(): Promise<void> {
  const all = [...requireClient().organisation.contactPoints.values()].sort((a, b) => a.name.localeCompare(b.name));
  contactPointViews.value = await Promise.all(all.map(viewOf));
}

export async function createContactPoint(input: ContactPointInput): Promise<boolean> {
  const made = await runAction("contactPoints", async () => {
    const info = await requireClient().createContactPoint(input);
    await loadContactPoints();
    createdContactPoint.value = info.slug;
    showToast(t("contactPoints.created", { name: input.name }));
    return true;
  });
  return made === true;
}

export function staffIds(contactPoint: ContactPoint): string[] {
  return contactPoint.staff.map((id) => encodeBase64url(id));
}

export async function copyContactPointUrl(view: ContactPointView): Promise<void> {
  await runAction("contactPoints", async () => {
    await navigator.clipboard.writeText(view.url);
    showToast(t("contactPoints.copied"));
  });
}

import { checkContactPoint, decodeBase64url, decodeContactPoint, type ContactPoint } from "@bote/protocol";
import { ClientError } from "@bote/client";
import { verifyEd25519 } from "@bote/core";
import { language, t } from "../app/i18n/i18n.js";
import type { ContactPointInfo, InquiryPort } from "./inquiryPort.js";

interface ContactPointAnswer {
  contactPoint: string;
  organisation: { id: string; name: string };
  organisationKey: string;
}

/**
 * The contact point as its organisation signed it. The customer has no other
 * anchor than the organisation key this server names (the page itself comes
 * from it too; docs/THREAT-MODEL.md, "Contact points").
 */
async function fetchContactPoint(
  slug: string,
): Promise<{ info: ContactPointInfo; statement: ContactPoint } | undefined> {
  const response = await fetch(`/v1/contact-points/${encodeURIComponent(slug)}`, {
    headers: { accept: "application/json", "accept-language": language.value },
  });
  if (response.status === 404) return undefined;
  if (!response.ok && response.status !== 410) throw new Error(`contact point: HTTP ${response.status}`);
  const answer = (await response.json()) as ContactPointAnswer;
  const bytes = decodeBase64url(answer.contactPoint);
  const key = decodeBase64url(answer.organisationKey);
  if (bytes === undefined || key === undefined) throw new Error("contact point: not base64url");
  const decoded = decodeContactPoint(bytes);
  if (
    !decoded.ok ||
    checkContactPoint(decoded.value, key, verifyEd25519) !== undefined ||
    decoded.value.slug !== slug
  ) {
    throw new Error("contact point: the organisation's signature does not hold");
  }
  const c = decoded.value;
  return {
    statement: c,
    info: {
      slug: c.slug,
      name: c.name,
      organisationName: answer.organisation.name,
      open: c.open && response.status !== 410,
      greeting: c.greeting,
      openingHours: c.openingHours,
      privacyText: c.privacyText,
      requiredFields: c.requiredFields,
      retentionDays: c.retentionDays,
    },
  };
}

export const inquiryPort: InquiryPort = {
  async loadContactPoint(slug) {
    return (await fetchContactPoint(slug))?.info;
  },
  sendInquiry() {
    return Promise.reject(new Error("not wired to the SDK yet"));
  },
  openInquiry() {
    return Promise.resolve(undefined);
  },
  describeError(error) {
    if (error instanceof ClientError) return { kind: "error", code: error.code, message: error.text(language.value) };
    if (error instanceof TypeError) return { kind: "error", code: "offline", message: t("customer.offline") };
    console.error(error);
    return { kind: "error", code: "unexpected", message: t("errors.unexpected") };
  },
};

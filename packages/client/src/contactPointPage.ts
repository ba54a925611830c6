import type { ContactPoint } from "@bote/protocol";
import { fetchContactPoint, parseContactPointUrl } from "./contactPoints.js";
import type { Transport } from "./ports.js";
import { ServerApi } from "./ServerApi.js";

export interface ContactPointPage {
  /** Checked against the organisation key the server names (fetchContactPoint says what that buys). */
  readonly contactPoint: ContactPoint;
  readonly organisationName: string;
}

/**
 * What a customer's page shows before anything is sent: the contact point as
 * its organisation signed it. A closed contact point fails with
 * contact_point_closed, an unknown slug with contact_point_unknown.
 */
export async function loadContactPoint(contactPointLink: string, transport: Transport): Promise<ContactPointPage> {
  const { serverUrl, slug } = parseContactPointUrl(contactPointLink);
  const page = await fetchContactPoint(new ServerApi(transport.http, serverUrl), slug);
  return { contactPoint: page.contactPoint, organisationName: page.organisation.name };
}

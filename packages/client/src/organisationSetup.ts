// The organisation's setup: the settings the server keeps beside the signed
// log (name, default language, whether the first admin finished), and the
// setup's last step, which also re-certifies the admin's own name.
import { isCanonicalDisplayName, type Language, type OrganisationSettings } from "@bote/protocol";
import { ClientError } from "./clientError.js";
import type { ClientContext } from "./context.js";
import { recertify } from "./administration.js";

export async function readOrganisationSettings(ctx: ClientContext): Promise<OrganisationSettings> {
  // Only the settings are wanted: asking from the end of what this device applied keeps the page short.
  return (await ctx.session.api.organisationLog(ctx.organisation().logSeq)).organisation;
}

export interface SetupInput {
  readonly organisationName: string;
  /** This admin's own name, re-certified by the organisation key if it changed. */
  readonly displayName: string;
  readonly language: Language;
}

/** The setup wizard's last step: the organisation's name and language on the server, the admin's name in the chain. */
export async function completeSetup(ctx: ClientContext, input: SetupInput): Promise<string> {
  const own = ctx.organisation().accounts.get(ctx.profile().accountId)?.certificate;
  if (own?.role !== "admin") throw new ClientError("not_admin");
  const displayName = input.displayName.normalize("NFC").trim();
  const organisationName = input.organisationName.normalize("NFC").trim();
  if (!isCanonicalDisplayName(organisationName)) throw new ClientError("bad_request", "organisationName");
  if (!isCanonicalDisplayName(displayName)) throw new ClientError("bad_request", "displayName");
  if (displayName !== own.displayName) await recertify(ctx, ctx.profile().accountId, { displayName });
  await ctx.session.api.setUpOrganisation({
    name: organisationName,
    language: input.language,
  });
  return organisationName;
}

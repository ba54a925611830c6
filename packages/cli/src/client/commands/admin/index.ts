/** `bote admin …`: what administrators do. A subcommand is one `register…(admin)` call and its function. */
import type { Command } from "commander";
import { helpTexts } from "../../helpTexts.js";
import { registerInvitations, registerInvite, registerRevokeInvitation } from "./invitations.js";
import { registerMembers } from "./members.js";
import { registerDepartment } from "./department.js";
import { registerDeactivate, registerDemote, registerPromote, registerRevokeDevice } from "./offboarding.js";
import { registerRecoveryKit, registerRotateKey } from "./keys.js";
import { registerPolicy } from "./policy.js";
import { registerAudit } from "./audit.js";
import { registerSetup } from "./setup.js";
import { registerPerson, registerPrivacy } from "./privacy.js";

export function registerAdmin(program: Command): void {
  const admin = program.command("admin").description(helpTexts.admin);
  registerInvite(admin);
  registerMembers(admin);
  registerDepartment(admin);
  registerInvitations(admin);
  registerRevokeInvitation(admin);
  registerDeactivate(admin);
  registerRevokeDevice(admin);
  registerPromote(admin);
  registerDemote(admin);
  registerRotateKey(admin);
  registerRecoveryKit(admin);
  registerPolicy(admin);
  registerAudit(admin);
  registerSetup(admin);
  registerPerson(admin);
  registerPrivacy(admin);
}

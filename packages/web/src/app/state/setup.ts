/**
 * The setup wizard on the first admin's device: it opens while the
 * organisation is not set up (the server's settings say so, for every
 * admin device, across reloads) and this device holds the organisation key.
 * Its answers live here, not in the component, because choosing a language
 * re-renders the whole app.
 */
import { signal } from "@preact/signals";
import { isCanonicalDisplayName } from "@bote/protocol/light";
import { language, setLanguage, t, type Language } from "../i18n/i18n.js";
import { runAction } from "./actions.js";
import { holdsOrganisationKey } from "./administration.js";
import { navigate } from "./route.js";
import { requireClient, showToast } from "./session.js";

/** The wizard's steps, in order; "policies" is the Verwaltung's policy form. */
export const SETUP_STEPS = ["organisation", "name", "language", "recoveryKit", "policies"] as const;
export type SetupStep = (typeof SETUP_STEPS)[number];

export interface SetupAnswers {
  step: SetupStep;
  organisationName: string;
  displayName: string;
  language: Language;
  recoveryCode: string | undefined;
  recoveryConfirmed: boolean;
}

export const setup = signal<SetupAnswers | undefined>(undefined);

/** Whether this admin device should set the organisation up: the chat list offers the wizard until it is done. */
export const setupPending = signal(false);

let checked: object | undefined;

/**
 * Once per opened device: asks the server whether the organisation is set
 * up. The first admin's join opens the wizard (state/session.ts); after
 * "Später einrichten" it is one tap from the chat list and stays there
 * until finished, on every admin device holding the key. The organisation's
 * language reaches every device through the signed policy (state/session.ts),
 * not from here.
 */
export async function checkSetup(): Promise<void> {
  const client = requireClient();
  if (checked === client) return;
  checked = client;
  if (client.profile.role !== "admin" || !holdsOrganisationKey()) return;
  try {
    setupPending.value = (await client.organisationSettings()).setUpAt === null;
  } catch {
    checked = undefined; // Offline: asked again on the next screen.
  }
}

/** Opening the wizard (also after a reload on #/setup): the answers start from the server's settings. */
export async function startSetup(): Promise<void> {
  if (setup.value !== undefined) return;
  const client = requireClient();
  const settings = await client.organisationSettings();
  if (settings.setUpAt !== null && !holdsOrganisationKey()) return;
  setup.value = {
    step: "organisation",
    organisationName: settings.name,
    displayName: client.device.credential.displayName,
    language: language.value,
    recoveryCode: undefined,
    recoveryConfirmed: false,
  };
}

export function answer(changes: Partial<SetupAnswers>): void {
  if (setup.value !== undefined) setup.value = { ...setup.value, ...changes };
}

export function validName(name: string): boolean {
  return isCanonicalDisplayName(name.normalize("NFC").trim());
}

/** Whether the step's answer lets the admin go on. */
export function stepDone(answers: SetupAnswers): boolean {
  switch (answers.step) {
    case "organisation":
      return validName(answers.organisationName);
    case "name":
      return validName(answers.displayName);
    case "language":
      return true;
    case "recoveryKit":
      return answers.recoveryCode !== undefined && answers.recoveryConfirmed;
    case "policies":
      return true;
  }
}

export function goToStep(offset: 1 | -1): void {
  const answers = setup.value;
  if (answers === undefined) return;
  const next = SETUP_STEPS[SETUP_STEPS.indexOf(answers.step) + offset];
  if (next !== undefined) answer({ step: next });
}

export async function chooseLanguage(next: Language): Promise<void> {
  answer({ language: next });
  await setLanguage(next);
}

/** The last step: the server's settings, the admin's own certificate; then the wizard never comes again. */
export async function finishSetup(): Promise<boolean> {
  const answers = setup.value;
  if (answers === undefined) return false;
  const done = await runAction("admin", async () => {
    await requireClient().setUpOrganisation({
      organisationName: answers.organisationName,
      displayName: answers.displayName,
      language: answers.language,
    });
    // The language is also the signed policy's, which every member's app follows.
    const client = requireClient();
    if (client.policy.language !== answers.language) await client.setPolicy({ language: answers.language });
    return true;
  });
  if (done !== true) return false;
  setup.value = undefined;
  setupPending.value = false;
  showToast(t("setup.done", { name: answers.organisationName.trim() }));
  navigate({ screen: "administration" }, true);
  return true;
}

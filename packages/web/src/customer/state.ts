/**
 * The customer page's state: one signal says which screen shows, actions
 * move between them. The page never reloads; a failed send keeps what the
 * customer typed and picked.
 */
import { computed, effect, signal } from "@preact/signals";
import type { ContactField } from "@bote/protocol/light";
import { pickFiles, releasePicked, type PickedFile, type PickProblem } from "./picked.js";
import { inquiryPort, type ContactPointInfo, type InquiryThread } from "./inquiryPort.js";

export type Screen =
  | { readonly kind: "loading" }
  | { readonly kind: "unknown" }
  | { readonly kind: "closed"; readonly contactPoint: ContactPointInfo }
  | { readonly kind: "form"; readonly contactPoint: ContactPointInfo }
  | { readonly kind: "sent"; readonly contactPoint: ContactPointInfo; readonly returnLink: string }
  | { readonly kind: "thread"; readonly thread: InquiryThread }
  | { readonly kind: "lost" }
  | { readonly kind: "insecure" };

export const screen = signal<Screen>({ kind: "loading" });

export interface Draft {
  readonly text: string;
  readonly contact: Readonly<Partial<Record<ContactField, string>>>;
  readonly consent: boolean;
}

export const draft = signal<Draft>({ text: "", contact: {}, consent: false });
export const files = signal<readonly PickedFile[]>([]);
export const preparing = signal(false);
export const pickProblem = signal<PickProblem | undefined>(undefined);
/** Why the last send did not go out: a form field, or an error code of the SDK or the server. */
export type SendProblem =
  | { readonly kind: "missing_text" }
  | { readonly kind: "missing_field"; readonly field: ContactField }
  | { readonly kind: "missing_consent" }
  | { readonly kind: "error"; readonly code: string; readonly message: string };
export const sendProblem = signal<SendProblem | undefined>(undefined);
// What the customer changes answers the last complaint: it goes until the next send.
effect(() => {
  void draft.value;
  sendProblem.value = undefined;
});
/**
 * While a send runs: the files sent so far, and whether the device is still
 * solving the server's puzzle (seconds on a phone, with nothing else to see).
 * Undefined when no send runs.
 */
export const progress = signal<
  | { readonly done: number; readonly total: number; readonly protecting: boolean; readonly offline?: boolean }
  | undefined
>(undefined);

/**
 * Something the customer wrote has not reached the server yet: the inquiry
 * while it is being sent (until the relay took it), or a reply still in
 * this browser's outbox. Closing the page would leave it there, unsent,
 * until the return link is opened again, so while this holds the page asks
 * first (in the browser's own words).
 */
export const unsent = computed(() => {
  if (progress.value !== undefined) return true;
  const s = screen.value;
  return s.kind === "thread" && s.thread.messages.value.some((m) => m.delivery.kind === "sending");
});

function askBeforeLeaving(event: BeforeUnloadEvent): void {
  event.preventDefault();
  // Chrome before 119 asks only when returnValue is set; preventDefault is the standard way.
  event.returnValue = true;
}

effect(() => {
  if (!unsent.value) return;
  addEventListener("beforeunload", askBeforeLeaving);
  return () => removeEventListener("beforeunload", askBeforeLeaving);
});

/** `/k/<slug>` opens the form; `/k/<slug>#r=<secret>` the customer's earlier inquiry. */
export async function start(location: Location): Promise<void> {
  if (!globalThis.isSecureContext || globalThis.crypto?.subtle === undefined) {
    screen.value = { kind: "insecure" };
    return;
  }
  const slug = decodeURIComponent(location.pathname.replace(/^.*\/k\//, "").replace(/\/$/, ""));
  const secret = new URLSearchParams(location.hash.slice(1)).get("r");
  if (secret !== null) {
    const thread = await inquiryPort.openInquiry(location.href);
    screen.value = thread === undefined ? { kind: "lost" } : { kind: "thread", thread };
    return;
  }
  const contactPoint = await inquiryPort.loadContactPoint(slug);
  if (contactPoint === undefined) screen.value = { kind: "unknown" };
  else screen.value = contactPoint.open ? { kind: "form", contactPoint } : { kind: "closed", contactPoint };
}

export async function addFiles(picked: readonly File[]): Promise<void> {
  preparing.value = true;
  pickProblem.value = undefined;
  try {
    const result = await pickFiles(picked, files.value.length);
    files.value = [...files.value, ...result.picked];
    pickProblem.value = result.problem;
  } finally {
    preparing.value = false;
  }
}

export function removeFile(id: string): void {
  const gone = files.value.find((f) => f.id === id);
  if (gone !== undefined) releasePicked(gone);
  files.value = files.value.filter((f) => f.id !== id);
  pickProblem.value = undefined;
}

function missing(contactPoint: ContactPointInfo, d: Draft): SendProblem | undefined {
  if (d.text.trim() === "") return { kind: "missing_text" };
  const field = contactPoint.requiredFields.find((f) => (d.contact[f] ?? "").trim() === "");
  if (field !== undefined) return { kind: "missing_field", field };
  if (!d.consent) return { kind: "missing_consent" };
  return undefined;
}

/** The contact details the customer filled in, trimmed; empty fields are left out. */
function given(contact: Draft["contact"]): Partial<Record<ContactField, string>> {
  const out: Partial<Record<ContactField, string>> = {};
  for (const [field, value] of Object.entries(contact) as [ContactField, string][]) {
    if (value.trim() !== "") out[field] = value.trim();
  }
  return out;
}

export async function send(): Promise<void> {
  const current = screen.value;
  if (current.kind !== "form" || progress.value !== undefined) return;
  const d = draft.value;
  const problem = missing(current.contactPoint, d);
  sendProblem.value = problem;
  if (problem !== undefined) return;
  const total = files.value.length;
  progress.value = { done: 0, total, protecting: false };
  try {
    const { returnLink } = await inquiryPort.sendInquiry(current.contactPoint, {
      text: d.text.trim(),
      contact: given(d.contact),
      files: files.value,
      onFileSent: (done) => (progress.value = { done, total, protecting: false }),
      onProtecting: (protecting) => {
        if (progress.value?.protecting !== protecting) progress.value = { done: 0, total, protecting };
      },
      onOffline: (offline) => {
        const now = progress.value;
        if (now !== undefined && (now.offline === true) !== offline) progress.value = { ...now, offline };
      },
    });
    for (const f of files.value) releasePicked(f);
    files.value = [];
    draft.value = { text: "", contact: {}, consent: false };
    screen.value = { kind: "sent", contactPoint: current.contactPoint, returnLink };
  } catch (error) {
    sendProblem.value = inquiryPort.describeError(error);
  } finally {
    progress.value = undefined;
  }
}

export async function openThread(returnLink: string): Promise<void> {
  history.replaceState(null, "", returnLink);
  const thread = await inquiryPort.openInquiry(returnLink);
  screen.value = thread === undefined ? { kind: "lost" } : { kind: "thread", thread };
}

export async function reply(text: string): Promise<boolean> {
  const current = screen.value;
  if (current.kind !== "thread" || text.trim() === "") return false;
  try {
    await current.thread.reply(text.trim());
    return true;
  } catch (error) {
    sendProblem.value = inquiryPort.describeError(error);
    return false;
  }
}

export function newInquiry(): void {
  location.assign(location.pathname);
}

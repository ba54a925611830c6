/**
 * A person's second device (phone + PC), both sides. The signed-in device
 * offers a link (code, URL, QR code), waits for the new device, shows the
 * comparison code and, after the person confirmed that both screens show the
 * same, hands over the keys. The new device claims the link, shows the same
 * comparison code and becomes a device of the same account. Every SDK call
 * of the two screens is an action here; each screen reads one signal.
 */
import { signal } from "@preact/signals";
import { loadQrCode } from "./qrCode.js";
import { ClientError } from "@bote/client/light";
import type { DeviceLinkOffer } from "@bote/client";
import { DEVICE_LINK_CODE_ALPHABET, DEVICE_LINK_CODE_LENGTH, normaliseDeviceLinkCode } from "@bote/protocol/light";
import { t } from "../i18n/i18n.js";
import { errorText, linkDevice, phase, requireClient, showToast, type Phase } from "./session.js";

/** What the signed-in device shows, step by step. */
export type LinkOffer =
  | { step: "starting" }
  | { step: "waiting"; code: string; url: string; expiresAt: string; qr: string }
  | { step: "compare"; comparisonCode: string }
  | { step: "confirming" }
  | { step: "linked" }
  /** Worded when shown, so a language switch words it again. */
  | { step: "failed"; message: () => string };

/** What the new device shows, step by step; after the last one the app shows the chat list. */
export type NewDeviceStep =
  { step: "enter"; problem?: () => string } | { step: "claiming" } | { step: "compare"; comparisonCode: string };

export const linkOffer = signal<LinkOffer | undefined>(undefined);
export const newDeviceStep = signal<NewDeviceStep>({ step: "enter" });

/** The device-link codes the app words itself: what to do next, not only what went wrong. */
const linkProblems: Partial<Record<ClientError["code"], () => string>> = {
  device_link_invalid: () => t("deviceLink.errors.invalid"),
  device_link_used: () => t("deviceLink.errors.used"),
  device_link_state: () => t("deviceLink.errors.state"),
  device_link_failed: () => t("deviceLink.errors.failed"),
};

/** A person reads why the link did not work in the app's words; anything else as the SDK words it. */
export function deviceLinkProblem(err: unknown): string {
  const worded = err instanceof ClientError ? linkProblems[err.code] : undefined;
  return worded === undefined ? errorText(err) : worded();
}

// The signed-in device's side.

interface OfferRun {
  readonly abort: AbortController;
  offer?: DeviceLinkOffer;
}

let running: OfferRun | undefined;

/** Creates a link and waits (up to its expiry) for the new device to answer. */
export async function offerDeviceLink(): Promise<void> {
  cancelDeviceLinkOffer();
  const run: OfferRun = { abort: new AbortController() };
  running = run;
  // A later offer or a cancel makes this run's results stale.
  const current = () => running === run && !run.abort.signal.aborted;
  linkOffer.value = { step: "starting" };
  try {
    const offer = await requireClient().startDeviceLink();
    run.offer = offer;
    const qr = await (await loadQrCode()).toDataURL(offer.url, { margin: 1, width: 280, errorCorrectionLevel: "M" });
    if (!current()) return;
    linkOffer.value = { step: "waiting", code: offer.code, url: offer.url, expiresAt: offer.expiresAt, qr };
    const { comparisonCode } = await offer.waitForDevice(run.abort.signal);
    if (current()) linkOffer.value = { step: "compare", comparisonCode };
  } catch (err) {
    if (current()) linkOffer.value = { step: "failed", message: () => deviceLinkProblem(err) };
  }
}

/** The person saw the same code on both screens: certify the new device, hand over the keys, add it to every chat. */
export async function confirmDeviceLink(): Promise<void> {
  const run = running;
  if (run?.offer === undefined || linkOffer.value?.step !== "compare") return;
  linkOffer.value = { step: "confirming" };
  try {
    await run.offer.confirm();
    if (running === run) linkOffer.value = { step: "linked" };
    showToast(t("deviceLink.linked"));
  } catch (err) {
    if (running === run) linkOffer.value = { step: "failed", message: () => deviceLinkProblem(err) };
  }
}

/**
 * Stops waiting for the new device (the codes differed, or the person left
 * the screen). Once confirmed the hand-over finishes anyway: it is never
 * left half done.
 */
export function cancelDeviceLinkOffer(): void {
  running?.abort.abort();
  running = undefined;
  linkOffer.value = undefined;
}

export async function copyDeviceLink(url: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(url);
    showToast(t("deviceLink.copied"));
  } catch {
    showToast(t("deviceLink.copyFailed"));
  }
}

// The new device's side.

let linking: AbortController | undefined;
let before: Phase = { kind: "welcome" };

/** "I already have an account on another device": the screen to type the code on. */
export function openLinkScreen(): void {
  if (phase.value.kind !== "link") before = phase.value;
  newDeviceStep.value = { step: "enter" };
  phase.value = { kind: "link", link: undefined };
}

/** Back to the welcome (or invitation) screen this browser came from. */
export function closeLinkScreen(): void {
  cancelLinkingThisDevice();
  phase.value = before;
}

/** A link (`…/link#c=…`) as it stands, or a typed code normalised to XXXXX-XXXXX; undefined if neither. */
export function deviceLinkInput(text: string): string | undefined {
  const trimmed = text.trim();
  if (/^https?:\/\/[^#?]+\/link#c=[0-9A-Za-z-]{10,11}$/.test(trimmed)) return trimmed;
  const code = normaliseDeviceLinkCode(trimmed);
  if (code.length !== DEVICE_LINK_CODE_LENGTH || [...code].some((c) => !DEVICE_LINK_CODE_ALPHABET.includes(c))) {
    return undefined;
  }
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** Claims the link, shows the comparison code, and waits for the other device's confirmation. */
export async function linkThisBrowser(text: string): Promise<void> {
  const link = deviceLinkInput(text);
  if (link === undefined) {
    newDeviceStep.value = { step: "enter", problem: () => t("deviceLink.errors.codeFormat") };
    return;
  }
  linking?.abort();
  const abort = new AbortController();
  linking = abort;
  newDeviceStep.value = { step: "claiming" };
  try {
    await linkDevice({
      link,
      signal: abort.signal,
      onComparisonCode: (comparisonCode) => {
        if (linking === abort) newDeviceStep.value = { step: "compare", comparisonCode };
      },
    });
  } catch (err) {
    if (linking === abort && !abort.signal.aborted) {
      newDeviceStep.value = { step: "enter", problem: () => deviceLinkProblem(err) };
    }
  } finally {
    if (linking === abort) linking = undefined;
  }
}

let claimedFromAddress: string | undefined;

/** A scanned QR code opened `/link#c=…`: claimed once, even if the screen is drawn again (another language). */
export function linkFromAddress(link: string): void {
  if (claimedFromAddress === link) return;
  claimedFromAddress = link;
  void linkThisBrowser(link);
}

/** Typing again: the last problem no longer applies. */
export function clearLinkProblem(): void {
  if (newDeviceStep.value.step === "enter" && newDeviceStep.value.problem !== undefined) {
    newDeviceStep.value = { step: "enter" };
  }
}

export function cancelLinkingThisDevice(): void {
  linking?.abort();
  linking = undefined;
  newDeviceStep.value = { step: "enter" };
}

/**
 * The one place where the customer page calls the SDK. The page itself only
 * knows these shapes, so its screens stay free of protocol details.
 */
import type { ReadonlySignal } from "@preact/signals";
import { ClientError } from "@bote/client/light";
import { language, t } from "../app/i18n/i18n.js";
import type { ContactField, ErrorCode } from "@bote/protocol/light";
import type { PickedFile } from "./picked.js";
import type { SendProblem } from "./state.js";

export interface ContactPointInfo {
  readonly slug: string;
  readonly name: string;
  readonly organisationName: string;
  readonly open: boolean;
  readonly greeting: string;
  readonly openingHours: string;
  readonly privacyText: string;
  readonly requiredFields: readonly ContactField[];
  /** 0: the business keeps closed inquiries. */
  readonly retentionDays: number;
}

export interface InquiryToSend {
  readonly text: string;
  readonly contact: Readonly<Partial<Record<ContactField, string>>>;
  readonly files: readonly PickedFile[];
  readonly onFileSent: (done: number) => void;
  /** The server asked for its puzzle (under attack): true while this device solves it. */
  readonly onProtecting: (active: boolean) => void;
  /** True while the inquiry waits in this browser for the connection to come back; false once it is back. */
  readonly onOffline: (offline: boolean) => void;
}

/**
 * Whether the server has taken one of the customer's own lines. "sending":
 * it waits in this browser's outbox, and closing the page would leave it
 * there until the return link is opened again. "failed": it will never go,
 * because the server refused it (`code`, when this page saw why) or the
 * inquiry is gone. Lines from the business are "sent".
 */
export type Delivery =
  | { readonly kind: "sending" }
  | { readonly kind: "sent" }
  | { readonly kind: "failed"; readonly code: ErrorCode | undefined };

export interface ThreadMessage {
  readonly id: string;
  readonly fromCustomer: boolean;
  readonly delivery: Delivery;
  readonly senderName: string;
  readonly text: string;
  readonly sentAtMs: number;
  /** Object URLs of the photo thumbnails this message carries. */
  readonly photos: readonly string[];
  readonly documents: readonly string[];
}

export interface InquiryThread {
  readonly contactPointName: string;
  readonly messages: ReadonlySignal<readonly ThreadMessage[]>;
  /** The business erased the inquiry (or it expired): the server no longer knows this browser's guest account. */
  readonly gone: ReadonlySignal<boolean>;
  reply(text: string): Promise<void>;
}

export interface InquiryPort {
  loadContactPoint(slug: string): Promise<ContactPointInfo | undefined>;
  /** Resolves once the server took the inquiry: the return link then leads to something sent. */
  sendInquiry(contactPoint: ContactPointInfo, inquiry: InquiryToSend): Promise<{ returnLink: string }>;
  /** Undefined when this browser does not hold the inquiry the link names. */
  openInquiry(returnLink: string): Promise<InquiryThread | undefined>;
  describeError(error: unknown): SendProblem;
}

/**
 * The SDK port (MLS, protobuf-es, noble) is an import(), started as soon as
 * this module runs, so the page can paint that it is loading while it comes.
 */
let sdkPort: Promise<InquiryPort> | undefined;
function loaded(): Promise<InquiryPort> {
  sdkPort ??= import("./sdkInquiryPort.js").then(
    (m) => m.inquiryPort,
    (err: unknown) => {
      // Offline before the worker holds the chunk: the next call tries again.
      sdkPort = undefined;
      throw err;
    },
  );
  return sdkPort;
}
// The form waits for the port: its request goes out now, not after the catalog and the first render.
void loaded().catch(() => undefined);

export function describeError(error: unknown): SendProblem {
  if (error instanceof ClientError) return { kind: "error", code: error.code, message: error.text(language.value) };
  if (error instanceof TypeError) return { kind: "error", code: "offline", message: t("customer.offline") };
  console.error(error);
  return { kind: "error", code: "unexpected", message: t("errors.unexpected") };
}

/** Why the server refused a line, in the reader's language. */
export function refusalText(code: ErrorCode): string {
  return new ClientError(code).text(language.value);
}

export const inquiryPort: InquiryPort = {
  loadContactPoint: async (slug) => (await loaded()).loadContactPoint(slug),
  sendInquiry: async (contactPoint, inquiry) => (await loaded()).sendInquiry(contactPoint, inquiry),
  openInquiry: async (returnLink) => (await loaded()).openInquiry(returnLink),
  describeError,
};

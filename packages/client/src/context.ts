import type { AuthenticationPort, ClientStore, Device, OrganisationView, ProfileRecord } from "@bote/core";
import type { Emitter } from "./events.js";
import type { RelayConnection } from "./RelayConnection.js";
import type { Serial } from "./serial.js";
import type { Session } from "./session.js";

/** What the SDK's use cases share; BoteClient owns it. */
export interface ClientContext {
  readonly store: ClientStore;
  readonly session: Session;
  readonly connection: RelayConnection;
  /** Every step that reads and writes conversation state runs through it. */
  readonly serial: Serial;
  readonly events: Emitter;
  readonly trust: AuthenticationPort;
  readonly now: () => number;
  /** What waiting files may hold in the store together (OpenOptions.queueLimitBytes). */
  readonly queueLimitBytes: number;
  /** A member's proposal (e.g. a leave) waits in this conversation for someone to commit it. */
  onProposal(conversationId: string): void;
  /** Messages from others were stored: the senders may be told (delivery receipts). */
  onDelivered(conversationId: string, messageIds: readonly string[]): void;
  profile(): ProfileRecord;
  device(): Device;
  /** What this device trusts about its organisation (see OrganisationView). */
  organisation(): OrganisationView;
  /** Stores a changed view with the profile; statements reach it only after they verified. */
  updateOrganisation(view: OrganisationView): Promise<void>;
  /** Stores the organisation key an admin colleague sent (already checked by the caller). */
  keepOrganisationKey(signKey: Uint8Array): Promise<void>;
}

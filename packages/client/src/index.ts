// Bote's SDK: one device talking to one server. Network access only through
// the ports in ports.ts, storage only through core's ClientStore.
export { BoteClient, socketUrl, type OpenOptions } from "./BoteClient.js";
export type { DirectoryEntry } from "./directory.js";
export type { InvitationRequest, MadeInvitation } from "./invitations.js";
// parseStaffCsv is the subpath @bote/client/staffCsv: only the screens that read a CSV load papaparse.
export { effectivePolicy, type EffectivePolicy } from "./policy.js";
export { formatSize } from "./formatSize.js";
export type { SetupInput } from "./organisationSetup.js";
export type { FormerMember } from "./privacy.js";
export { joinWithInvitation, type JoinOptions } from "./enrol.js";
export { checkInvitation } from "./invitationCheck.js";
export { sendInquiry, openInquiry, type GuestOptions, type InquiryInput, type SentInquiry } from "./guest.js";
export { parseReturnLink, returnLinkStore, type ReturnLink } from "./returnLink.js";
export { contactPointUrl } from "./contactPointUrl.js";
export {
  parseContactPointUrl,
  readContactPoint,
  type ContactPointInfo,
  type ContactPointInput,
} from "./contactPoints.js";
export type { InquiryChange, InquiryNote, InquiryStatus, InquirySummary } from "./inbox.js";
export { foldUpdates, type InquiryState, type StaffUpdate } from "./inbox.js";
export { isPastRetention } from "./inquiryRetention.js";
export { MAX_CLOCK_LEAD_MS, expiresAt, type Expired } from "./disappearing.js";
export { DISAPPEARING_CHOICES } from "./disappearingChoices.js";
export { linkThisDevice, parseDeviceLink, type DeviceLinkOffer, type LinkDeviceOptions } from "./deviceLinking.js";
export { ClientError, clientErrorRegistry, type ClientErrorCode } from "./clientError.js";
export { bytesFrom } from "./ServerApi.js";
export { reactionsOf, type CurrentReaction } from "./reactions.js";
export { searchMessages, searchWords, type SearchHit, type SearchOptions } from "./search.js";
export {
  planKeyPackageTopUp,
  KEY_PACKAGE_TARGET,
  LAST_RESORT_GRACE_MS,
  LAST_RESORT_MAX_AGE_MS,
  LAST_RESORT_MIN_AGE_MS,
  type KeyPackageTopUpPlan,
} from "./keyPackageStock.js";
export type { ClientEvents, DropReason } from "./events.js";
export type { SessionCache, SessionToken } from "./session.js";
export { readContent, timerEvent, type ConversationEvent } from "./records.js";
export { RelayConnection, type ConnectionState, type RelayConnectionOptions } from "./RelayConnection.js";
export type { OutgoingFile } from "./attachments.js";
export { QUEUE_LIMIT_BYTES } from "./waitingLines.js";
export { checkFileContent, cleanPhoto } from "./fileContent.js";
export type {
  HttpRequest,
  HttpResponse,
  HttpTransport,
  OpenSocket,
  RelaySocket,
  SocketHandlers,
  Transport,
} from "./ports.js";

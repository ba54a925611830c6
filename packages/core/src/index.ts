// Bote's client core. ts-mls 1.6.4 stays behind these functions: callers
// handle bytes, our own types and ConversationError, never ts-mls calls.
export {
  DEFAULT_CIPHERSUITE,
  POST_QUANTUM_CIPHERSUITE,
  BOTE_CIPHERSUITES,
  isBoteCiphersuite,
  loadCiphersuite,
  type BoteCiphersuiteName,
} from "./mls/ciphersuite.js";
/** The browser's provider; exported so that tests on Node run it against Node's (loadCiphersuite there). */
export { makeFastCiphersuite } from "./mls/fastCiphersuite.js";
export type { DecodeResult, DecodeFailure, DecodeFailureReason } from "./decodeResult.js";
export {
  DELIVERY_ADDRESS_EXTENSION_TYPE,
  encodeDeliveryAddress,
  decodeDeliveryAddress,
  makeDeliveryAddressExtension,
  readDeliveryAddressExtension,
  readAddressBook,
  type DeliveryAddress,
  type MemberAddress,
  type UnreachableMember,
  type AddressBook,
} from "./deliveryAddress.js";
export {
  encodeBoteCredential,
  decodeBoteCredential,
  makeMlsCredential,
  readMlsCredential,
  credentialFromCertificates,
  type BoteCredential,
} from "./credential.js";
export {
  createDevice,
  recertifyDevice,
  moveDeviceToMailbox,
  type Device,
  type NewDeviceInput,
  type SignatureKeyPair,
} from "./device.js";
export {
  generateKeyPackageBundle,
  encodeKeyPackage,
  decodeKeyPackage,
  makeBoteCapabilities,
  type KeyPackageBundle,
} from "./keyPackages.js";
export type { AuthenticationPort, AuthenticationRejection } from "./authenticationPort.js";
export { ConversationError, type ConversationErrorCode } from "./conversationError.js";
export {
  createConversation,
  addMembers,
  joinConversation,
  encryptMessage,
  readConversationAddressBook,
  zeroSecrets,
  readGroupId,
  readEpoch,
  encodeConversation,
  restoreConversation,
  type Conversation,
  type AddMembersResult,
  type CommitResult,
} from "./conversation.js";
export {
  processIncoming,
  type IncomingResult,
  type IncomingProposal,
  type MessageSender,
  type ConversationMember,
  type CommitChanges,
} from "./conversation/incoming.js";
export {
  removeMembers,
  leaveConversation,
  commitPendingProposals,
  hasPendingProposals,
  type MemberSelector,
} from "./conversation/membership.js";
export { readWelcomeSigner } from "./conversation/welcomeSigner.js";
export { isGuest, guestAccounts } from "./conversation/guests.js";
export { renameConversation, readConversationName } from "./conversation/rename.js";
export { updateDeliveryAddress } from "./conversation/deliveryUpdate.js";
export {
  GROUP_NAME_EXTENSION_TYPE,
  MAX_GROUP_NAME_BYTES,
  encodeGroupName,
  decodeGroupName,
  makeGroupNameExtension,
  readGroupNameExtension,
} from "./groupName.js";
export type {
  ClientStore,
  StoreChanges,
  ProfileRecord,
  ConversationRecord,
  ConversationKind,
  MessageRecord,
  MessageDirection,
  MessageStatus,
  OutboxRecord,
  UploadRecord,
  ContactRecord,
  ContactDevice,
  DeviceTrust,
  KeyPackageRecord,
  Role,
} from "./store/ClientStore.js";
export {
  encodeDevice,
  decodeDevice,
  encodeKeyPackageBundle,
  decodeKeyPackageBundle,
  computeKeyPackageRef,
  generateSignatureKeyPair,
  signWithDevice,
} from "./deviceStorage.js";
export { inspectEnvelope, envelopeFingerprint, type EnvelopeKind } from "./conversation/inspect.js";
export {
  readRoster,
  readPendingRemovals,
  readKeyPackageAddress,
  readKeyPackageCredential,
  type RosterMember,
} from "./conversation/roster.js";
export type { TrustVerdict, TrustBasis, TrustRejectionReason } from "./authenticationPort.js";
export { createSigningKey, publicKeyOf, verifyEd25519 } from "./identity/organisationKey.js";
export {
  createInvitation,
  certifyAccount,
  certifyAccountByInvitation,
  certifyDevice,
  createRevocation,
  rotateOrganisationKey,
  certifyGuest,
  createContactPointStatement,
  createDirectoryEntry,
  createPolicyStatement,
  type AccountFields,
  type ContactPointFields,
} from "./identity/certificates.js";
export {
  formatInvitationLink,
  parseInvitationLink,
  isInvitationExpired,
  readInvitationLink,
  invitationTimeIsOver,
  type InvitationLink,
  type InvitationSecrets,
} from "./identity/invitationLink.js";
export {
  createOrganisationView,
  admitAccount,
  applyRevocation,
  applyRotation,
  applyStatement,
  applyContactPoint,
  applyDirectoryEntry,
  applyPolicy,
  findContactPoint,
  evaluateCredential,
  encodeOrganisationView,
  decodeOrganisationView,
  type OrganisationView,
  type AccountEntry,
  type AdmitOutcome,
  type CredentialVerdict,
} from "./identity/organisationView.js";
export {
  foldAuditLog,
  chainKeys,
  AUDIT_ACTIONS,
  type AuditAction,
  type AuditEntry,
  type LoggedStatementBytes,
} from "./identity/auditLog.js";
export { auditCsv, auditJson, AUDIT_CSV_COLUMNS } from "./identity/auditExport.js";
export {
  createTrustPolicy,
  type ContactTrustLookup,
  type OrganisationViewHolder,
  type TrustPolicyOptions,
} from "./identity/trustPolicy.js";
export {
  createLinkEphemeral,
  linkCommitment,
  checkLinkCommitment,
  deriveLinkSecrets,
  sealLinkPackage,
  openLinkPackage,
  type LinkEphemeral,
  type LinkSecrets,
} from "./identity/deviceLink.js";
export {
  createRecoveryKit,
  openRecoveryKit,
  formatRecoveryCode,
  parseRecoveryCode,
  type RecoveryKit,
} from "./identity/recoveryKit.js";
export {
  computeSafetyNumber,
  verificationQrPayload,
  checkVerificationQr,
  type SafetyParty,
} from "./identity/safetyNumber.js";
export { AttachmentError, type AttachmentErrorCode } from "./attachment/attachmentError.js";
export { ciphertextSize, DEFAULT_CHUNK_SIZE } from "./attachment/framing.js";
export {
  encryptAttachment,
  type AttachmentSecrets,
  type EncryptAttachmentOptions,
  type EncryptedAttachment,
} from "./attachment/encryptAttachment.js";
export { decryptAttachment } from "./attachment/decryptAttachment.js";
export { MemoryClientStore, lastResortsOldestFirst } from "./store/MemoryClientStore.js";
export { ClientStoreError, type ClientStoreErrorCode } from "./store/ClientStoreError.js";
export { validateStoreChanges } from "./store/validateStoreChanges.js";
export {
  MEDIA_SIGNATURE_BYTES,
  matchesMediaType,
  sniffImageType,
  type ImageMediaType,
} from "./media/mediaSignature.js";
export { stripPhotoMetadata, jpegHasMetadata, type CleanPhoto } from "./media/photoMetadata.js";
export { MediaError, type MediaErrorCode } from "./media/mediaError.js";

/**
 * The one registry of Bote's error codes. Every error that crosses the wire
 * (HTTP body, WebSocket frame, CLI output) carries one of these codes; the
 * texts are what a person sees. docs/errors.md lists the same table and a
 * test keeps the two in sync.
 */
export interface ErrorDefinition {
  /** HTTP status when the error answers a request. */
  readonly http: number;
  /** WebSocket close code when the error ends the connection; undefined when it never does. */
  readonly wsClose?: number;
  readonly de: string;
  readonly en: string;
}

export const errorRegistry = {
  bad_request: {
    http: 400,
    de: "Die Anfrage ist ungültig.",
    en: "The request is malformed.",
  },
  body_too_large: {
    http: 413,
    de: "Die Anfrage ist zu groß.",
    en: "The request body is too large.",
  },
  unsupported_media_type: {
    http: 415,
    de: "Dieses Format wird nicht angenommen.",
    en: "This content type is not accepted.",
  },
  not_found: {
    http: 404,
    de: "Nicht gefunden.",
    en: "Not found.",
  },
  unauthenticated: {
    http: 401,
    wsClose: 4401,
    de: "Anmeldung erforderlich oder Sitzung abgelaufen.",
    en: "Authentication required or session expired.",
  },
  forbidden: {
    http: 403,
    de: "Dafür fehlt die Berechtigung.",
    en: "You are not allowed to do this.",
  },
  invitation_invalid: {
    http: 404,
    de: "Diese Einladung ist ungültig oder abgelaufen.",
    en: "This invitation is invalid or has expired.",
  },
  invitation_used: {
    http: 409,
    de: "Diese Einladung wurde bereits eingelöst.",
    en: "This invitation has already been redeemed.",
  },
  device_key_taken: {
    http: 409,
    de: "Dieser Geräteschlüssel ist bereits registriert.",
    en: "This device key is already registered.",
  },
  device_link_invalid: {
    http: 404,
    de: "Diese Geräteverknüpfung ist ungültig oder abgelaufen.",
    en: "This device link is invalid or has expired.",
  },
  device_link_used: {
    http: 409,
    de: "Diese Geräteverknüpfung wurde bereits von einem Gerät angenommen.",
    en: "This device link has already been claimed by a device.",
  },
  device_link_state: {
    http: 409,
    de: "Dieser Schritt der Geräteverknüpfung kommt nicht an der Reihe.",
    en: "This step of the device link is out of order.",
  },
  challenge_invalid: {
    http: 401,
    de: "Die Anmeldeaufgabe ist unbekannt, abgelaufen oder falsch signiert.",
    en: "The login challenge is unknown, expired or wrongly signed.",
  },
  device_revoked: {
    http: 403,
    wsClose: 4403,
    de: "Dieses Gerät wurde von der Organisation deaktiviert.",
    en: "This device has been deactivated by the organisation.",
  },
  certificate_invalid: {
    http: 400,
    de: "Ein Zertifikat ist ungültig: falsch signiert, abgelaufen oder für ein anderes Konto.",
    en: "A certificate is invalid: wrongly signed, expired or for another account.",
  },
  statement_invalid: {
    http: 400,
    de: "Eine Erklärung der Organisation ist ungültig oder nicht mit dem aktuellen Schlüssel signiert.",
    en: "An organisation statement is invalid or not signed with the current key.",
  },
  organisation_key_missing: {
    http: 409,
    de: "Die Organisation hat noch keinen Schlüssel; zuerst muss die erste Administratorin beitreten.",
    en: "The organisation has no key yet; the first administrator must join first.",
  },
  rate_limited: {
    http: 429,
    de: "Zu viele Anfragen. Bitte kurz warten.",
    en: "Too many requests. Please wait a moment.",
  },
  account_unknown: {
    http: 404,
    de: "Dieses Konto gibt es in der Organisation nicht.",
    en: "There is no such account in this organisation.",
  },
  account_taken: {
    http: 409,
    de: "Diese Konto-ID ist bereits vergeben.",
    en: "This account id is taken already.",
  },
  guest_forbidden: {
    http: 403,
    de: "Ein Gastzugang über einen Kontaktpunkt darf das nicht.",
    en: "A guest of a contact point may not do this.",
  },
  guest_blob_limit: {
    http: 403,
    de: "Für diese Anfrage wurden schon so viele Dateien hochgeladen, wie erlaubt sind.",
    en: "This inquiry has uploaded as many files as it may.",
  },
  contact_point_unknown: {
    http: 404,
    de: "Diesen Kontaktpunkt gibt es nicht.",
    en: "There is no such contact point.",
  },
  contact_point_closed: {
    http: 410,
    de: "Dieser Kontaktpunkt nimmt keine neuen Anfragen an.",
    en: "This contact point takes no new inquiries.",
  },
  contact_point_slug_taken: {
    http: 409,
    de: "Diese Adresse für einen Kontaktpunkt ist schon vergeben.",
    en: "This contact point address is taken already.",
  },
  person_active: {
    http: 409,
    de: "Diese Person ist noch aktiv. Deaktivieren Sie sie zuerst; erst dann lassen sich ihre Daten löschen.",
    en: "This person is still active. Deactivate them first; only then can their data be erased.",
  },
  person_is_staff: {
    http: 409,
    de: "Diese Person ist noch einem Kontaktpunkt zugeordnet. Nehmen Sie sie dort heraus, bevor ihre Daten gelöscht werden.",
    en: "This person is still assigned to a contact point. Remove them there before their data is erased.",
  },
  proof_of_work_required: {
    http: 428,
    de: "Gerade kommen sehr viele Anfragen. Bitte die Seite neu laden und erneut senden.",
    en: "Very many inquiries are arriving right now. Please reload the page and send again.",
  },
  proof_of_work_invalid: {
    http: 400,
    de: "Die Rechenaufgabe gegen Missbrauch ist abgelaufen oder falsch gelöst. Bitte die Seite neu laden und erneut senden.",
    en: "The anti-abuse puzzle has expired or was solved wrongly. Please reload the page and send again.",
  },
  too_many_key_packages: {
    http: 400,
    de: "Zu viele Schlüsselpakete für ein Gerät.",
    en: "Too many key packages for one device.",
  },
  blob_not_found: {
    http: 404,
    de: "Diese Datei gibt es nicht (mehr).",
    en: "This file does not exist (any more).",
  },
  blob_too_large: {
    http: 413,
    de: "Die Datei ist größer als erlaubt.",
    en: "The file is larger than allowed.",
  },
  blob_over_policy: {
    http: 413,
    de: "Die Datei ist größer, als die Richtlinie Ihrer Organisation erlaubt.",
    en: "The file is larger than your organisation's policy allows.",
  },
  capability_invalid: {
    http: 403,
    de: "Die Zustelladresse ist ungültig.",
    en: "The delivery address is invalid.",
  },
  mailbox_gone: {
    http: 410,
    de: "Dieses Postfach gibt es nicht mehr.",
    en: "This mailbox no longer exists.",
  },
  too_many_recipients: {
    http: 400,
    de: "Zu viele Empfänger in einer Sendung.",
    en: "Too many recipients in one send.",
  },
  payload_too_large: {
    http: 413,
    de: "Die Nachricht ist zu groß.",
    en: "The message is too large.",
  },
  stale_epoch: {
    http: 409,
    de: "Die Gruppe hat sich inzwischen geändert; bitte erneut versuchen.",
    en: "The group has changed in the meantime; please retry.",
  },
  frame_malformed: {
    http: 400,
    wsClose: 4400,
    de: "Ein Datenpaket war fehlerhaft.",
    en: "A frame was malformed.",
  },
  frame_unknown: {
    http: 400,
    de: "Dieser Pakettyp ist unbekannt.",
    en: "This frame type is unknown.",
  },
  frame_too_large: {
    http: 413,
    wsClose: 1009,
    de: "Ein Datenpaket war zu groß.",
    en: "A frame was too large.",
  },
  hello_required: {
    http: 400,
    wsClose: 4402,
    de: "Die Verbindung muss mit einer Begrüßung beginnen.",
    en: "The connection must begin with a hello.",
  },
  protocol_version_unsupported: {
    http: 400,
    wsClose: 4426,
    de: "Diese App-Version wird vom Server nicht unterstützt. Bitte aktualisieren.",
    en: "This app version is not supported by the server. Please update.",
  },
  origin_forbidden: {
    http: 403,
    de: "Verbindungen von dieser Herkunft sind nicht erlaubt.",
    en: "Connections from this origin are not allowed.",
  },
  content_malformed: {
    http: 400,
    de: "Eine Nachricht war fehlerhaft und wurde verworfen.",
    en: "A message was malformed and has been discarded.",
  },
  content_unsupported: {
    http: 400,
    de: "Eine Nachricht braucht eine neuere App-Version. Bitte aktualisieren.",
    en: "A message needs a newer app version. Please update.",
  },
  database_outdated: {
    http: 503,
    de: "Diese Datenbank stammt aus einer älteren Bote-Version ohne Organisationsschlüssel und kann nicht übernommen werden. Verschieben Sie das Datenverzeichnis (oder die Datenbank) und starten Sie mit einer neuen Datenbank; alle bisherigen Profile müssen danach neu beitreten.",
    en: "This database was made by an older Bote version without an organisation key and cannot be carried over. Move the data directory (or the database) away and start with a fresh database; every existing profile must then join again.",
  },
  database_newer: {
    http: 503,
    de: "Diese Datenbank stammt aus einer neueren Bote-Version. Starten Sie diese Version oder spielen Sie die Sicherung von vor dem Update ein.",
    en: "This database was made by a newer Bote version. Start that version, or restore the backup taken before the upgrade.",
  },
  database_corrupt: {
    http: 503,
    de: "Die SQLite-Datenbank ist beschädigt (Prüfung mit PRAGMA quick_check fehlgeschlagen). Stellen Sie die letzte Sicherung wieder her; der Server startet nicht auf einer beschädigten Datei.",
    en: "The SQLite database is damaged (PRAGMA quick_check failed). Restore the last backup; the server does not start on a damaged file.",
  },
  data_directory_unwritable: {
    http: 503,
    de: "Im Datenverzeichnis lässt sich nichts speichern (schreibgeschützt, voll oder ohne Rechte). Geben Sie Platz frei oder hängen Sie es beschreibbar ein.",
    en: "Nothing can be stored in the data directory (read-only, full or without permission). Free some space or mount it writable.",
  },
  acme_unreachable: {
    http: 503,
    de: "Die Zertifizierungsstelle (ACME-Server) ist nicht erreichbar. Prüfen Sie --acme-directory, die Internetverbindung dieses Rechners und, für eine eigene Test-CA, --acme-ca.",
    en: "The certificate authority (ACME server) cannot be reached. Check --acme-directory, this machine's internet connection and, for a test CA of your own, --acme-ca.",
  },
  acme_validation_failed: {
    http: 503,
    de: "Die Zertifizierungsstelle konnte nicht bestätigen, dass die Domain zu diesem Server gehört. Die Domain muss im DNS auf diesen Rechner zeigen, und Port 80 (--http-port) muss aus dem Internet erreichbar sein.",
    en: "The certificate authority could not confirm that the domain belongs to this server. The domain must point to this machine in DNS, and port 80 (--http-port) must be reachable from the internet.",
  },
  acme_failed: {
    http: 503,
    de: "Die Zertifizierungsstelle hat kein Zertifikat ausgestellt.",
    en: "The certificate authority issued no certificate.",
  },
  port_unavailable: {
    http: 503,
    de: "Ein Port lässt sich nicht öffnen: Er ist schon belegt, oder Ports unter 1024 brauchen Root-Rechte oder CAP_NET_BIND_SERVICE.",
    en: "A port cannot be opened: it is in use already, or ports below 1024 need root or CAP_NET_BIND_SERVICE.",
  },
  store_schema_mismatch: {
    http: 409,
    de: "Die Datenbanken passen nicht zu dieser Bote-Version. Starten Sie `bote serve` dieser Version einmal auf den SQLite-Daten, beenden Sie es und übertragen Sie dann.",
    en: "The databases do not match this Bote version. Start `bote serve` of this version once on the SQLite data, stop it, then migrate.",
  },
  store_target_not_empty: {
    http: 409,
    de: "Die PostgreSQL-Zieldatenbank ist nicht leer. Übertragen wird nur in eine neue, leere Datenbank.",
    en: "The PostgreSQL target database is not empty. Data is only migrated into a new, empty database.",
  },
  store_copy_mismatch: {
    http: 500,
    de: "Die Übertragung ergab andere Zeilenzahlen als die Quelle; nichts wurde übernommen. Läuft noch ein Server auf den SQLite-Daten?",
    en: "The copy gave other row counts than the source; nothing was kept. Is a server still running on the SQLite data?",
  },
  store_unavailable: {
    http: 503,
    wsClose: 1013,
    de: "Der Server kann gerade nichts speichern (Datenbank oder Datenträger gestört). Bitte später erneut versuchen; nichts Bestätigtes geht verloren.",
    en: "The server cannot store anything right now (database or disk fault). Please try again later; nothing acknowledged is lost.",
  },
  unavailable: {
    http: 503,
    wsClose: 1001,
    de: "Der Server ist gerade nicht verfügbar.",
    en: "The server is unavailable right now.",
  },
  internal: {
    http: 500,
    wsClose: 1011,
    de: "Interner Serverfehler.",
    en: "Internal server error.",
  },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof errorRegistry;

export const errorCodes = Object.keys(errorRegistry) as ErrorCode[];

export type Language = "de" | "en";

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(errorRegistry, value);
}

export function errorText(code: ErrorCode, language: Language): string {
  return errorRegistry[code][language];
}

/** The JSON body of every failed HTTP request. */
export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    /** Where in the input the fault is, e.g. "recipients.3.capability". */
    path?: string;
  };
}

/** A typed failure that carries a registry code; thrown by parse gates and handlers. */
export class BoteError extends Error {
  readonly code: ErrorCode;
  readonly path: string | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  constructor(code: ErrorCode, path?: string, details?: Record<string, unknown>) {
    super(path === undefined ? code : `${code} at ${path}`);
    this.name = "BoteError";
    this.code = code;
    this.path = path;
    this.details = details;
  }
}

export function missingCase(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}

export function errorDefinition(code: ErrorCode): ErrorDefinition {
  return errorRegistry[code];
}

/** The close code a socket ends with after this error; 4400 when the code has none of its own. */
export function wsCloseCode(code: ErrorCode): number {
  return errorDefinition(code).wsClose ?? 4400;
}

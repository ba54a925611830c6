import { errorText, isErrorCode, type ErrorCode, type Language } from "@bote/protocol/light";

/**
 * Errors that arise on the device, not on the server. Like the server's
 * registry (packages/protocol/src/errors.ts) every code is stable and has a
 * German and an English text; docs/client-errors.md lists them and a test
 * keeps both in sync.
 */
export const clientErrorRegistry = {
  offline: {
    de: "Keine Verbindung zum Bote-Server.",
    en: "No connection to the Bote server.",
  },
  timeout: {
    de: "Der Bote-Server hat nicht rechtzeitig geantwortet.",
    en: "The Bote server did not answer in time.",
  },
  server_unexpected: {
    de: "Der Server hat unerwartet geantwortet.",
    en: "The server sent an unexpected answer.",
  },
  invitation_link_invalid: {
    de: "Dieser Einladungslink ist ungültig oder unvollständig.",
    en: "This invitation link is invalid or incomplete.",
  },
  profile_missing: {
    de: "Dieses Gerät ist noch keiner Organisation beigetreten (zuerst: bote join).",
    en: "This device has not joined an organisation yet (first: bote join).",
  },
  profile_unreadable: {
    de: "Das Profil ist keine lesbare Bote-Datenbank.",
    en: "The profile is not a readable Bote database.",
  },
  profile_too_new: {
    de: "Das Profil stammt von einer neueren Bote-Version; bitte Bote aktualisieren.",
    en: "The profile was written by a newer version of Bote; please update Bote.",
  },
  profile_outdated: {
    de: "Dieses Profil stammt aus einer älteren Bote-Version ohne Organisationsschlüssel-Kette. Bitte mit einer neuen Einladung in einem neuen Profil beitreten.",
    en: "This profile was made by an older Bote without the organisation key chain. Please join again with a new invitation, in a new profile.",
  },
  profile_exists: {
    de: "Dieses Profil gehört schon zu einem Konto; für ein weiteres ein anderes Profil wählen.",
    en: "This profile already belongs to an account; choose another profile for a second one.",
  },
  contact_unknown: {
    de: "Diesen Kontakt oder Chat gibt es nicht.",
    en: "There is no such contact or chat.",
  },
  contact_ambiguous: {
    de: "Der Name passt auf mehrere Kontakte oder Chats; bitte genauer angeben.",
    en: "The name matches several contacts or chats; please be more specific.",
  },
  no_key_packages: {
    de: "Dieser Kontakt ist gerade nicht erreichbar (keine Schlüsselpakete).",
    en: "This contact cannot be reached right now (no key packages).",
  },
  member_untrusted: {
    de: "Der Schlüssel dieses Kontakts ist nicht von der Organisation bestätigt und nicht verifiziert.",
    en: "This contact's key is neither confirmed by the organisation nor verified.",
  },
  conversation_inactive: {
    de: "Sie sind nicht mehr Mitglied dieses Chats.",
    en: "You are no longer a member of this chat.",
  },
  not_a_group: {
    de: "Das geht nur in Gruppen.",
    en: "This only works in groups.",
  },
  commit_conflict: {
    de: "Die Gruppe wurde gleichzeitig geändert; bitte noch einmal versuchen.",
    en: "The group was changed at the same time; please try again.",
  },
  not_admin: {
    de: "Das dürfen nur Administratoren der Organisation.",
    en: "Only administrators of the organisation may do this.",
  },
  message_unknown: {
    de: "Diese Nachricht gibt es nicht.",
    en: "There is no such message.",
  },
  message_not_own: {
    de: "Nur eigene Texte und Dateien lassen sich bearbeiten oder löschen.",
    en: "Only your own texts and files can be edited or deleted.",
  },
  message_deleted: {
    de: "Diese Nachricht wurde gelöscht.",
    en: "This message was deleted.",
  },
  disappearing_timer_invalid: {
    de: "Verschwindende Nachrichten: Die Zeit muss 0 (aus) oder 1 Sekunde bis 1 Jahr sein, in ganzen Sekunden.",
    en: "Disappearing messages: the time must be 0 (off) or 1 second to 1 year, in whole seconds.",
  },
  disappearing_not_here: {
    de: "Verschwindende Nachrichten gibt es nur in Team-Chats, nicht in Kundenanfragen.",
    en: "Disappearing messages exist in team chats only, not in customer inquiries.",
  },
  not_an_attachment: {
    de: "Diese Nachricht enthält keine Datei.",
    en: "This message has no file.",
  },
  attachment_corrupt: {
    de: "Die Datei ist beschädigt oder wurde verändert; sie wurde nicht gespeichert.",
    en: "The file is damaged or was altered; it was not saved.",
  },
  file_too_large: {
    de: "Die Datei ist zu groß.",
    en: "The file is too large.",
  },
  queue_full: {
    de: "Es warten schon zu viele Dateien darauf, gesendet zu werden. Bitte warten, bis sie verschickt sind (sobald die Verbindung wieder da ist), und diese Datei dann noch einmal senden.",
    en: "Too many files are already waiting to be sent. Please wait until they have gone out (once the connection is back), then send this file again.",
  },
  device_link_failed: {
    de: "Das Gerät konnte nicht verbunden werden (abgebrochen, abgelaufen oder verändert). Bitte noch einmal von vorn.",
    en: "The device could not be linked (cancelled, expired or tampered with). Please start again.",
  },
  delivery_failed: {
    de: "Zustellung fehlgeschlagen: Der Server hat die Nachricht für keinen Empfänger angenommen. Bitte die Administration informieren.",
    en: "Delivery failed: the server accepted the message for no recipient. Please tell your administrator.",
  },
  photo_not_an_image: {
    de: "Diese Datei ist kein Bild, das Bote als Foto zeigen kann (JPEG, PNG, WebP oder GIF). Senden Sie sie als Datei.",
    en: "This file is not an image Bote can show as a photo (JPEG, PNG, WebP or GIF). Send it as a file.",
  },
  photo_metadata_unsupported: {
    de: "Aus Fotos in diesem Format (etwa HEIC, WebP oder GIF) kann Bote Ort und Kameradaten nicht entfernen. Wandeln Sie das Foto in JPEG oder PNG um, oder senden Sie es ausdrücklich unverändert.",
    en: "Bote cannot remove location and camera data from photos in this format (such as HEIC, WebP or GIF). Convert the photo to JPEG or PNG, or send it unchanged on purpose.",
  },
  voice_not_audio: {
    de: "Diese Datei ist keine Sprachnachricht (Ogg/Opus, WebM oder M4A). Senden Sie sie als Datei.",
    en: "This file is not a voice message (Ogg/Opus, WebM or M4A). Send it as a file.",
  },
  thumbnail_too_large: {
    de: "Das Vorschaubild ist zu groß (höchstens 32 KiB).",
    en: "The thumbnail is too large (at most 32 KiB).",
  },
  contact_point_link_invalid: {
    de: "Dieser Kontaktlink ist ungültig oder unvollständig.",
    en: "This contact link is invalid or incomplete.",
  },
  contact_point_untrusted: {
    de: "Die Angaben dieses Kontakts sind nicht von der Organisation unterschrieben.",
    en: "The details of this contact point are not signed by the organisation.",
  },
  inquiry_incomplete: {
    de: "Bitte füllen Sie die Pflichtfelder aus und stimmen Sie der Datenschutzerklärung zu.",
    en: "Please fill in the required fields and agree to the privacy notice.",
  },
  return_link_invalid: {
    de: "Dieser Link zu Ihrer Anfrage ist ungültig, oder die Anfrage ist auf diesem Gerät nicht gespeichert.",
    en: "This link to your inquiry is invalid, or the inquiry is not stored on this device.",
  },
  csv_invalid: {
    de: "Die CSV-Datei wurde nicht importiert; niemand wurde eingeladen:",
    en: "The CSV file was not imported; nobody was invited:",
  },
  inquiry_unknown: {
    de: "Diese Anfrage gibt es auf diesem Gerät nicht.",
    en: "This inquiry does not exist on this device.",
  },
  inquiry_gone: {
    de: "Diese Anfrage ist beim Unternehmen gelöscht oder abgelaufen. Über den Kontaktpunkt können Sie eine neue senden.",
    en: "The business has erased this inquiry, or it expired. You can send a new one through the contact point.",
  },
  attachment_over_policy: {
    de: "Die Datei ist zu groß: Die Richtlinie Ihrer Organisation erlaubt Anhänge bis {limit}.",
    en: "The file is too large: your organisation's policy allows attachments up to {limit}.",
  },
  external_chats_off: {
    de: "Die Richtlinie Ihrer Organisation erlaubt keine Chats mit Personen außerhalb der Organisation, also auch keine Kundenanfragen.",
    en: "Your organisation's policy allows no chats with people outside the organisation, so no customer inquiries either.",
  },
  policy_post_quantum_fixed: {
    de: "Die Verschlüsselung (Post-Quanten oder klassisch) wird bei der Einrichtung gewählt und kann danach nicht per Richtlinie wechseln.",
    en: "The encryption suite (post-quantum or classic) is chosen at setup and cannot be switched by a policy afterwards.",
  },
} as const satisfies Record<string, { de: string; en: string }>;

export type ClientErrorCode = keyof typeof clientErrorRegistry;

/**
 * No connection, no answer in time, or a server that cannot store right now
 * (store_unavailable, or a 503 from it or its proxy): what is written waits
 * in the outbox instead of failing, and goes out once the server takes it.
 */
export function isOffline(err: unknown): boolean {
  return (
    err instanceof ClientError &&
    (err.code === "offline" || err.code === "timeout" || err.code === "store_unavailable" || err.code === "unavailable")
  );
}

/** Any error the SDK raises: a device-side code or a code the server answered with. */
export class ClientError extends Error {
  override readonly name = "ClientError";
  constructor(
    readonly code: ClientErrorCode | ErrorCode,
    detail?: string,
    options?: { cause?: unknown; values?: Readonly<Record<string, (language: Language) => string>> },
  ) {
    super(detail === undefined ? code : `${code}: ${detail}`, options);
    this.values = options?.values ?? {};
  }

  /** What fills a text's `{name}` places, e.g. the policy's limit, in the reader's language. */
  private readonly values: Readonly<Record<string, (language: Language) => string>>;

  /** The sentence a person reads. */
  text(language: Language): string {
    const text = isErrorCode(this.code) ? errorText(this.code, language) : clientErrorRegistry[this.code][language];
    return text.replace(/\{(\w+)\}/g, (place, name: string) => this.values[name]?.(language) ?? place);
  }
}

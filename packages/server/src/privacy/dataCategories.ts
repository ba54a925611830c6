/**
 * The categories of data the server holds, each with the tables that hold
 * it. The documents list these and nothing else; a test checks them against
 * the tables of a real database, so a new table fails it until it is
 * described here.
 */
import type { PrivacyFacts } from "./privacyFacts.js";

export type Lang = "de" | "en";

export interface DataCategory {
  id: string;
  /** Tables of the schema that hold it (both stores; blob_chunks only in PostgreSQL). */
  tables: readonly string[];
  /** Whether it is about people at all; technical tables are listed too, as "no personal data". */
  personal: boolean;
  /** Whose data it is: staff (members), customers (guests of contact points), both. */
  subjects: "staff" | "customers" | "both" | "none";
  text: (facts: PrivacyFacts) => Record<Lang, { name: string; what: string; kept: string }>;
}

export const dataCategories: readonly DataCategory[] = [
  {
    id: "organisation",
    tables: ["organisations"],
    personal: false,
    subjects: "none",
    text: () => ({
      de: {
        name: "Organisation",
        what: "Name der Organisation, ihr öffentlicher Organisationsschlüssel",
        kept: "solange die Organisation besteht",
      },
      en: {
        name: "Organisation",
        what: "the organisation's name and public organisation key",
        kept: "as long as the organisation exists",
      },
    }),
  },
  {
    id: "account",
    tables: ["accounts"],
    personal: true,
    subjects: "both",
    text: () => ({
      de: {
        name: "Konten",
        what: "zufällige Konto-ID, Anzeigename, Rolle, öffentlicher Kontoschlüssel, das von der Organisation signierte Zertifikat, Zeitpunkte der Anlage und Deaktivierung",
        kept: "bis zur Löschung der Person (Art. 17 DSGVO); ein deaktiviertes Konto bleibt als Sperreintrag, bis es gelöscht wird",
      },
      en: {
        name: "Accounts",
        what: "random account id, display name, role, public account key, the certificate the organisation signed, times of creation and deactivation",
        kept: "until the person's erasure (Art. 17 GDPR); a deactivated account stays as a revocation record until it is erased",
      },
    }),
  },
  {
    id: "invitation",
    tables: ["invitations"],
    personal: true,
    subjects: "staff",
    text: () => ({
      de: {
        name: "Einladungen",
        what: "Konto-ID, Name und Rolle der eingeladenen Person, Ablauf und Zeitpunkt, das signierte Einladungszertifikat; vom Einladungstoken nur ein Hash",
        kept: "abgelaufene, nicht eingelöste Einladungen werden gelöscht; eingelöste bis zur Löschung der Person",
      },
      en: {
        name: "Invitations",
        what: "account id, name and role of the invited person, expiry and time, the signed invitation certificate; of the invitation token only a hash",
        kept: "expired unredeemed invitations are deleted; redeemed ones until the person's erasure",
      },
    }),
  },
  {
    id: "devices",
    tables: ["devices", "revoked_devices"],
    personal: true,
    subjects: "both",
    text: () => ({
      de: {
        name: "Geräte",
        what: "zufällige Geräte-ID, öffentlicher Geräteschlüssel, Gerätezertifikat, Zeitpunkt; für gesperrte Geräte ein Sperreintrag (ID, Schlüssel, Zeitpunkt)",
        kept: "bis zur Sperrung; Sperreinträge bis zur Löschung der Person",
      },
      en: {
        name: "Devices",
        what: "random device id, public device key, device certificate, time; for revoked devices a revocation record (id, key, time)",
        kept: "until revoked; revocation records until the person's erasure",
      },
    }),
  },
  {
    id: "login",
    tables: ["sessions", "challenges"],
    personal: true,
    subjects: "both",
    text: (f) => ({
      de: {
        name: "Anmeldungen",
        what: "SHA-256-Hashes der Sitzungstoken und Anmeldeaufgaben mit Ablaufzeit",
        kept: `Sitzungen ${f.sessionMinutes} Minuten, Anmeldeaufgaben ${f.challengeMinutes} Minuten`,
      },
      en: {
        name: "Logins",
        what: "SHA-256 hashes of session tokens and login challenges with their expiry",
        kept: `sessions ${f.sessionMinutes} minutes, login challenges ${f.challengeMinutes} minutes`,
      },
    }),
  },
  {
    id: "mailboxes",
    tables: ["mailboxes", "entries", "sends", "group_guards"],
    personal: true,
    subjects: "both",
    text: (f) => ({
      de: {
        name: "Postfächer und Zustellung",
        what: "zufällige Postfach-IDs je Gerät; je Empfänger ein versiegelter Eintrag mit Ende-zu-Ende-verschlüsseltem Inhalt, ohne Absender; verschlüsselte Hashes von Nachrichten-IDs (gegen doppelte Zustellung) und Gruppen-IDs (Epoche), die niemanden verknüpfen",
        kept: `bis das Gerät den Eintrag bestätigt, höchstens ${f.entryDays} Tage`,
      },
      en: {
        name: "Mailboxes and delivery",
        what: "random mailbox ids per device; per recipient one sealed entry with end-to-end encrypted content and no sender; keyed hashes of message ids (against double delivery) and group ids (epoch) that link nobody",
        kept: `until the device acknowledges the entry, at most ${f.entryDays} days`,
      },
    }),
  },
  {
    id: "keyPackages",
    tables: ["key_packages"],
    personal: true,
    subjects: "both",
    text: () => ({
      de: {
        name: "Schlüsselpakete",
        what: "öffentliche MLS-Schlüsselpakete der Geräte, mit der Zustelladresse des Geräts",
        kept: "bis sie abgerufen werden oder das Gerät gesperrt wird",
      },
      en: {
        name: "Key packages",
        what: "public MLS key packages of the devices, with the device's delivery address",
        kept: "until fetched or until the device is revoked",
      },
    }),
  },
  {
    id: "files",
    tables: ["blobs", "blob_chunks"],
    personal: true,
    subjects: "both",
    text: (f) => ({
      de: {
        name: "Dateien",
        what: `Ende-zu-Ende-verschlüsselte Fotos und Dokumente (Chiffrat, Größe, Ablauf, Organisation), höchstens ${f.fileMaxMb} MB je Datei; der Schlüssel ist nur in der Nachricht`,
        kept: `${f.fileDays} Tage`,
      },
      en: {
        name: "Files",
        what: `end-to-end encrypted photos and documents (ciphertext, size, expiry, organisation), at most ${f.fileMaxMb} MB each; the key travels only inside the message`,
        kept: `${f.fileDays} days`,
      },
    }),
  },
  {
    id: "log",
    tables: ["organisation_log"],
    personal: true,
    subjects: "staff",
    text: () => ({
      de: {
        name: "Protokoll der Organisation",
        what: "signierte Verwaltungsaktionen mit Zeitpunkt: Einladungen, Konto-Zertifikate (Name, Rolle), Sperrungen, Schlüsselwechsel, Kontaktpunkte; kein Inhalt und niemals, wer wem schreibt",
        kept: "dauerhaft; bei der Löschung einer Person werden ihre Einträge durch einen Hash ersetzt",
      },
      en: {
        name: "Organisation log",
        what: "signed admin actions with their time: invitations, account certificates (name, role), revocations, key rotations, contact points; no content and never who writes to whom",
        kept: "permanently; when a person is erased, their entries are replaced by a hash",
      },
    }),
  },
  {
    id: "push",
    tables: ["push_subscriptions"],
    personal: true,
    subjects: "staff",
    text: () => ({
      de: {
        name: "Web Push",
        what: "je Gerät, das Benachrichtigungen erlaubt: die Adresse beim Push-Dienst des Browsers und dessen Schlüssel; eine Benachrichtigung sagt nur „etwas ist angekommen“",
        kept: "bis das Gerät sie abmeldet oder gesperrt wird",
      },
      en: {
        name: "Web Push",
        what: "per device that allows notifications: the address at the browser's push service and its keys; a notification says only “something arrived”",
        kept: "until the device unsubscribes or is revoked",
      },
    }),
  },
  {
    id: "deviceLinks",
    tables: ["device_links"],
    personal: true,
    subjects: "staff",
    text: () => ({
      de: {
        name: "Geräteverknüpfungen",
        what: "öffentliche Schlüssel, Hashes von Code und Token, das für das neue Gerät versiegelte Paket",
        kept: "bis das neue Gerät es abholt, höchstens bis zum Ablauf (Minuten)",
      },
      en: {
        name: "Device links",
        what: "public keys, hashes of code and token, the package sealed for the new device",
        kept: "until the new device fetches it, at most until it expires (minutes)",
      },
    }),
  },
  {
    id: "contactPoints",
    tables: ["contact_points", "guest_accounts"],
    personal: true,
    subjects: "customers",
    text: (f) => ({
      de: {
        name: "Kontaktpunkte und Anfragen",
        what: "die signierte Seite des Kontaktpunkts (Name, zuständige Konten); je Kunden-Anfrage ein Gastkonto mit Kontaktpunkt, letzter Anmeldung und Zählern. Name, Telefonnummer, Text und Fotos einer Anfrage liegen nur Ende-zu-Ende-verschlüsselt in Postfächern und Dateien",
        kept: `Gastkonten bis ${f.guestIdleDays} Tage nach der letzten Anmeldung`,
      },
      en: {
        name: "Contact points and inquiries",
        what: "the signed page of the contact point (name, staff accounts); per customer inquiry a guest account with its contact point, last login and counters. Name, phone number, text and photos of an inquiry exist only end-to-end encrypted in mailboxes and files",
        kept: `guest accounts until ${f.guestIdleDays} days after their last login`,
      },
    }),
  },
  {
    id: "server",
    tables: ["server_meta", "schema_migrations"],
    personal: false,
    subjects: "none",
    text: () => ({
      de: {
        name: "Technik",
        what: "Prüfwerte der Server-Geheimnisse, Schema-Version",
        kept: "solange der Server läuft",
      },
      en: {
        name: "Technical",
        what: "check values of the server secrets, schema version",
        kept: "while the server runs",
      },
    }),
  },
];

/** What the server never stores: stated in every document, checked by the tests against the schema. */
export const notHeld: Record<Lang, string> = {
  de: "Nicht gespeichert werden: Telefonnummern oder E-Mail-Adressen (außer Ende-zu-Ende-verschlüsselt in einer Anfrage), Adressbücher, Nachrichteninhalte im Klartext, Schlüssel zu Nachrichten oder Dateien, wer wem schreibt und wann, Gruppenmitgliedschaften, Standortdaten. IP-Adressen werden nur im Arbeitsspeicher für Ratenbegrenzungen verwendet und nicht gespeichert oder protokolliert.",
  en: "Not stored: phone numbers or e-mail addresses (except end-to-end encrypted inside an inquiry), address books, message content in plaintext, keys to messages or files, who writes to whom and when, group membership, location data. IP addresses are used only in memory for rate limits and are neither stored nor logged.",
};

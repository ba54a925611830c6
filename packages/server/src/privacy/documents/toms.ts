/** Art. 32 GDPR: the technical and organisational measures, as this installation runs them. */
import type { Lang } from "../dataCategories.js";
import type { PrivacyFacts } from "../privacyFacts.js";
import { header, hosting, storeName, tlsText, type RenderedDocument } from "./common.js";

/** The measures as list items; dpia.ts reuses them. */
export function measures(f: PrivacyFacts, lang: Lang): string[] {
  const sqlite = f.store === "sqlite";
  if (lang === "de") {
    return [
      "**Verschlüsselung der Inhalte:** Ende-zu-Ende mit MLS (RFC 9420, Bibliothek ts-mls); Dateien AES-256-GCM mit einem Schlüssel je Datei, der nur in der verschlüsselten Nachricht reist. Der Server hat keinen Schlüssel zu Inhalten.",
      `**Transport:** ${tlsText(f, "de")}.`,
      `**Speicherung:** ${storeName(f, "de")}${f.dataDirectory === undefined ? "" : `, Datenverzeichnis \`${f.dataDirectory}\``}; Dateien ${f.blobs === "files" ? "als Dateien im Datenverzeichnis" : "in PostgreSQL"}. Wartende Einträge sind je Empfänger versiegelt (AEAD) unter Schlüsseln, die nur aus der Geheimnisdatei außerhalb der Datenbank folgen.${sqlite ? " SQLite läuft mit `secure_delete`, gelöschte Zeilen werden überschrieben; das WAL wird kurz nach dem Schreiben geleert." : " Gelöschte Zeilen bleiben in PostgreSQL bis zum nächsten VACUUM in der Datei (docs/OPERATIONS.md)."}`,
      "**Datensparsamkeit:** keine Telefonnummern, keine E-Mail-Adressen, kein Adressbuch; das Senden trägt keine Absenderidentität; nichts Gespeichertes oder Protokolliertes verknüpft Absender und Empfänger.",
      "**Zugriffskontrolle:** Konten entstehen nur durch Einladung; jedes Konto und Gerät ist durch den Organisationsschlüssel zertifiziert; Anmeldung durch signierte Anmeldeaufgabe (Ed25519), ohne Passwort; Verwaltungsrouten nur für Administratoren.",
      "**Trennung:** Dateien und Postfächer sind nur für Geräte der eigenen Organisation abrufbar; Gastzugänge von Kunden dürfen nur ihre eigene Anfrage.",
      `**Belastbarkeit:** Ratenbegrenzung ${f.publicPerMinute} Anfragen je Minute und Adresse an öffentlichen Endpunkten, ${f.guestsPerAddressPerHour} neue Anfragen je Stunde und Adresse; Rechenaufgabe unter Last; größte Datei ${f.fileMaxMb} MB.`,
      `**Löschung:** Einträge nach Bestätigung, spätestens nach ${f.entryDays} Tagen; Dateien nach ${f.fileDays} Tagen; Gastkonten ${f.guestIdleDays} Tage nach der letzten Anmeldung; Export und Löschung aller Daten einer Person durch die Administration (Art. 15, 17, 20).`,
      "**Protokolle:** keine Inhalte, keine Zustelladressen, keine Sender-Empfänger-Paare, keine IP-Adressen in den Protokollen; Verwaltungsaktionen als signiertes Protokoll der Organisation.",
      "**Dateirechte:** Datenverzeichnis 0700, Datenbank-, Geheimnis- und Schlüsseldateien 0600.",
      `**Standort:** ${hosting(f, "de")}.`,
      `**Versionen:** Bote ${f.versions.bote}, Node.js ${f.versions.node}; der Quelltext ist offen.`,
      "**Organisatorisch (vom Verantwortlichen zu ergänzen):** Zugang zum Server, Sicherungen und deren Verschlüsselung, Einspielen von Updates, Schulung, Vorgehen bei Datenpannen (Art. 33, 34).",
    ];
  }
  return [
    "**Content encryption:** end to end with MLS (RFC 9420, the ts-mls library); files AES-256-GCM with a key per file that travels only inside the encrypted message. The server holds no key to any content.",
    `**Transport:** ${tlsText(f, "en")}.`,
    `**Storage:** ${storeName(f, "en")}${f.dataDirectory === undefined ? "" : `, data directory \`${f.dataDirectory}\``}; files ${f.blobs === "files" ? "as files in the data directory" : "in PostgreSQL"}. Waiting entries are sealed (AEAD) per recipient under keys that only the secrets file outside the database yields.${sqlite ? " SQLite runs with `secure_delete`, so deleted rows are overwritten; the WAL is emptied soon after writes." : " PostgreSQL keeps deleted rows in its files until the next VACUUM (docs/OPERATIONS.md)."}`,
    "**Data minimisation:** no phone numbers, no e-mail addresses, no address book; a send carries no sender identity; nothing stored or logged links sender and recipient.",
    "**Access control:** accounts come only from invitations; every account and device is certified by the organisation key; login by a signed challenge (Ed25519), no password; admin routes for administrators only.",
    "**Separation:** files and mailboxes can be fetched only by devices of their own organisation; customers' guest accounts may use their own inquiry only.",
    `**Resilience:** rate limits of ${f.publicPerMinute} requests per minute and address on public endpoints, ${f.guestsPerAddressPerHour} new inquiries per hour and address; a puzzle under load; largest file ${f.fileMaxMb} MB.`,
    `**Deletion:** entries once acknowledged, at the latest after ${f.entryDays} days; files after ${f.fileDays} days; guest accounts ${f.guestIdleDays} days after their last login; export and erasure of all of a person's data by the administration (Art. 15, 17, 20).`,
    "**Logs:** no content, no delivery addresses, no sender–recipient pairs, no IP addresses in the logs; admin actions as the organisation's signed log.",
    "**File modes:** data directory 0700; database, secrets and key files 0600.",
    `**Location:** ${hosting(f, "en")}.`,
    `**Versions:** Bote ${f.versions.bote}, Node.js ${f.versions.node}; the source code is open.`,
    "**Organisational (for the controller to complete):** access to the server, backups and their encryption, applying updates, training, handling of data breaches (Art. 33, 34).",
  ];
}

export function renderToms(f: PrivacyFacts, lang: Lang, now: Date): RenderedDocument {
  const title =
    lang === "de"
      ? "Technische und organisatorische Maßnahmen (Art. 32 DSGVO)"
      : "Technical and organisational measures (Art. 32 GDPR)";
  const list = measures(f, lang)
    .map((m) => `- ${m}`)
    .join("\n");
  return { title, markdown: `${header(title, f, lang, now)}\n${list}\n` };
}

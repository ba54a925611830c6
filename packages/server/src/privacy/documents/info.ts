/** Art. 13 GDPR: the information for staff and for customers of contact points. Public. */
import type { Lang } from "../dataCategories.js";
import type { PrivacyFacts } from "../privacyFacts.js";
import { categoryTable, header, hosting, type RenderedDocument } from "./common.js";

export function renderInfo(f: PrivacyFacts, lang: Lang, now: Date): RenderedDocument {
  if (lang === "de") {
    const title = "Datenschutzinformation zu Bote (Art. 13 DSGVO)";
    return {
      title,
      markdown: `${header(title, f, "de", now)}
## Verantwortlicher

${f.organisation} betreibt den Messenger Bote unter ${f.publicUrl} für die Kommunikation im Team und mit Kundinnen und Kunden. Ihre Kontaktdaten und gegebenenfalls ihre Datenschutzbeauftragte oder ihren Datenschutzbeauftragten nennt ${f.organisation} gesondert.

## Zwecke und Rechtsgrundlagen

- **Beschäftigte:** interne Kommunikation im Rahmen des Beschäftigungsverhältnisses (Art. 6 Abs. 1 lit. b DSGVO, Art. 88 DSGVO mit § 26 BDSG), sicherer Betrieb des Dienstes (Art. 6 Abs. 1 lit. f DSGVO).
- **Kundinnen und Kunden eines Kontaktpunkts:** Bearbeitung Ihrer Anfrage (Art. 6 Abs. 1 lit. b DSGVO) und Schutz vor Missbrauch durch Ratenbegrenzung (Art. 6 Abs. 1 lit. f DSGVO). Name und Telefonnummer sind freiwillig und erreichen den Server nur Ende-zu-Ende-verschlüsselt.

## Was der Server speichert

Nachrichten, Fotos und Dokumente sind Ende-zu-Ende-verschlüsselt (MLS, RFC 9420; Dateien AES-256-GCM). Der Server kann sie nicht lesen.

### Beschäftigte

${categoryTable(f, "de", "staff")}

### Kundinnen und Kunden

${categoryTable(f, "de", "customers")}

## Empfänger

- Der Betreiber des Servers (Hosting: ${hosting(f, "de")}) als Auftragsverarbeiter (Art. 28 DSGVO).
- Erlaubt ein Gerät Benachrichtigungen, erhält der Push-Dienst des Browsers (z. B. Google, Mozilla, Apple) ein verschlüsseltes Wecksignal ohne Absender und Inhalt; er kann außerhalb der EU sitzen.

Eine Übermittlung in Drittländer durch Bote selbst findet nicht statt. Es gibt keine automatisierte Entscheidungsfindung (Art. 22 DSGVO).

## Ihre Rechte

Sie haben das Recht auf Auskunft (Art. 15), Berichtigung (Art. 16), Löschung (Art. 17), Einschränkung (Art. 18), Datenübertragbarkeit (Art. 20) und Widerspruch (Art. 21 DSGVO) sowie auf Beschwerde bei einer Aufsichtsbehörde (Art. 77 DSGVO). Die Administration kann alle Daten, die der Server über Sie hält, exportieren und löschen.
`,
    };
  }
  const title = "Privacy information for Bote (Art. 13 GDPR)";
  return {
    title,
    markdown: `${header(title, f, "en", now)}
## Controller

${f.organisation} runs the Bote messenger at ${f.publicUrl} for communication within the team and with customers. ${f.organisation} names its contact details and data protection officer separately.

## Purposes and legal bases

- **Staff:** internal communication within the employment relationship (Art. 6(1)(b) GDPR, Art. 88 GDPR with § 26 BDSG), secure operation of the service (Art. 6(1)(f) GDPR).
- **Customers of a contact point:** handling your inquiry (Art. 6(1)(b) GDPR) and protection against abuse by rate limits (Art. 6(1)(f) GDPR). Name and phone number are optional and reach the server only end-to-end encrypted.

## What the server stores

Messages, photos and documents are end-to-end encrypted (MLS, RFC 9420; files AES-256-GCM). The server cannot read them.

### Staff

${categoryTable(f, "en", "staff")}

### Customers

${categoryTable(f, "en", "customers")}

## Recipients

- The operator of the server (hosting: ${hosting(f, "en")}) as processor (Art. 28 GDPR).
- When a device allows notifications, the browser's push service (e.g. Google, Mozilla, Apple) receives an encrypted wake-up signal without sender or content; it may be outside the EU.

Bote itself transfers nothing to third countries. There is no automated decision-making (Art. 22 GDPR).

## Your rights

You have the right of access (Art. 15), rectification (Art. 16), erasure (Art. 17), restriction (Art. 18), data portability (Art. 20) and objection (Art. 21 GDPR), and to lodge a complaint with a supervisory authority (Art. 77 GDPR). The administration can export and erase all data the server holds about you.
`,
  };
}

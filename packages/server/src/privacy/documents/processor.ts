/** Art. 28 GDPR: what a hoster of this installation processes, and what its contract must say. */
import type { Lang } from "../dataCategories.js";
import type { PrivacyFacts } from "../privacyFacts.js";
import { categoryTable, header, hosting, storeName, tlsText, type RenderedDocument } from "./common.js";

export function renderProcessor(f: PrivacyFacts, lang: Lang, now: Date): RenderedDocument {
  const where =
    f.dataDirectory === undefined
      ? ""
      : lang === "de"
        ? `, Verzeichnis \`${f.dataDirectory}\``
        : `, directory \`${f.dataDirectory}\``;
  if (lang === "de") {
    const title = "Hinweis zur Auftragsverarbeitung (Art. 28 DSGVO) für den Hoster";
    return {
      title,
      markdown: `${header(title, f, "de", now)}
Betreibt ein Dienstleister den Server für ${f.organisation}, ist er Auftragsverarbeiter. Ein Vertrag nach Art. 28 Abs. 3 DSGVO ist nötig.

## Was der Hoster verarbeitet

- Standort: ${hosting(f, "de")}
- Datenbank: ${storeName(f, "de")}${where}; Dateien: ${f.blobs === "files" ? "Dateisystem" : "PostgreSQL"}${f.bus === "nats" ? "; mehrere Knoten, geweckt über NATS" : ""}
- Transport: ${tlsText(f, "de")}
- Inhalte sind Ende-zu-Ende-verschlüsselt: der Hoster kann Nachrichten und Dateien nicht lesen. Er kann Konten, Geräte, Zeitpunkte von Verwaltungsaktionen und die Menge wartender Einträge sehen:

${categoryTable(f, "de", "all")}

## Inhalt des Vertrags (Art. 28 Abs. 3 lit. a–h)

- [ ] Verarbeitung nur auf dokumentierte Weisung von ${f.organisation}
- [ ] Vertraulichkeit der eingesetzten Personen
- [ ] Maßnahmen nach Art. 32 (siehe „Technische und organisatorische Maßnahmen“)
- [ ] Unterauftragsverarbeiter nur mit Genehmigung; Liste: [ausfüllen]
- [ ] Unterstützung bei Betroffenenrechten (Export und Löschung einer Person: \`bote admin person export|erase\`)
- [ ] Unterstützung bei Art. 32–36 (Meldung von Datenpannen ohne Verzug)
- [ ] Löschung oder Rückgabe aller Daten (Datenbank, Dateien, Geheimnisdatei, Sicherungen) nach Vertragsende
- [ ] Nachweise und Kontrollen
`,
    };
  }
  const title = "Processor note (Art. 28 GDPR) for the hoster";
  return {
    title,
    markdown: `${header(title, f, "en", now)}
A provider that runs the server for ${f.organisation} is a processor. A contract under Art. 28(3) GDPR is required.

## What the hoster processes

- Location: ${hosting(f, "en")}
- Database: ${storeName(f, "en")}${where}; files: ${f.blobs === "files" ? "file system" : "PostgreSQL"}${f.bus === "nats" ? "; several nodes, woken through NATS" : ""}
- Transport: ${tlsText(f, "en")}
- Content is end-to-end encrypted: the hoster cannot read messages or files. It can see accounts, devices, the times of admin actions and the number of waiting entries:

${categoryTable(f, "en", "all")}

## What the contract must say (Art. 28(3)(a)–(h))

- [ ] processing only on documented instructions from ${f.organisation}
- [ ] confidentiality of the people involved
- [ ] the measures of Art. 32 (see "Technical and organisational measures")
- [ ] sub-processors only with authorisation; list: [fill in]
- [ ] assistance with data subjects' rights (export and erasure of a person: \`bote admin person export|erase\`)
- [ ] assistance with Art. 32–36 (reporting data breaches without delay)
- [ ] deletion or return of all data (database, files, secrets file, backups) when the contract ends
- [ ] evidence and audits
`,
  };
}

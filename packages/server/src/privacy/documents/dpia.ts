/** Art. 35 GDPR: a data protection impact assessment, filled where the configuration knows the answer. */
import type { Lang } from "../dataCategories.js";
import type { PrivacyFacts } from "../privacyFacts.js";
import { categoryTable, header, hosting, storeName, type RenderedDocument } from "./common.js";
import { measures } from "./toms.js";

const FILL = { de: "[vom Verantwortlichen auszufüllen]", en: "[for the controller to fill in]" };

export function renderDpia(f: PrivacyFacts, lang: Lang, now: Date): RenderedDocument {
  const m = measures(f, lang)
    .map((x) => `- ${x}`)
    .join("\n");
  if (lang === "de") {
    const title = "Datenschutz-Folgenabschätzung (Art. 35 DSGVO): Vorlage für Bote";
    return {
      title,
      markdown: `${header(title, f, "de", now)}
## 1. Beschreibung der Verarbeitung (Art. 35 Abs. 7 lit. a)

Messenger für ${f.organisation} unter ${f.publicUrl}; Server und Daten: ${hosting(f, "de")}; Datenbank: ${storeName(f, "de")}.

${categoryTable(f, "de", "all")}

## 2. Notwendigkeit und Verhältnismäßigkeit (lit. b)

Zweck ist die dienstliche Kommunikation und die Beantwortung von Kundenanfragen. Der Server hält nur, was er zur Zustellung braucht (siehe Tabelle); Inhalte sind Ende-zu-Ende-verschlüsselt. ${FILL.de}

## 3. Risiken für die Rechte und Freiheiten (lit. c)

| Risiko | Eintrittswahrscheinlichkeit | Schwere | Bewertung |
| --- | --- | --- | --- |
| Unbefugter Zugriff auf Inhalte | ${FILL.de} | ${FILL.de} | ${FILL.de} |
| Auswertung von Metadaten (wer mit wem) | ${FILL.de} | ${FILL.de} | ${FILL.de} |
| Verlust eines Geräts | ${FILL.de} | ${FILL.de} | ${FILL.de} |
| Leistungs- und Verhaltenskontrolle der Beschäftigten | ${FILL.de} | ${FILL.de} | ${FILL.de} |
| Ausfall des Servers | ${FILL.de} | ${FILL.de} | ${FILL.de} |

## 4. Abhilfemaßnahmen (lit. d)

${m}

## 5. Ergebnis

Restrisiko: ${FILL.de}. Stellungnahme der oder des Datenschutzbeauftragten: ${FILL.de}. Beteiligung der Beschäftigtenvertretung: ${FILL.de}.
`,
    };
  }
  const title = "Data protection impact assessment (Art. 35 GDPR): template for Bote";
  return {
    title,
    markdown: `${header(title, f, "en", now)}
## 1. Description of the processing (Art. 35(7)(a))

Messenger for ${f.organisation} at ${f.publicUrl}; server and data: ${hosting(f, "en")}; database: ${storeName(f, "en")}.

${categoryTable(f, "en", "all")}

## 2. Necessity and proportionality (b)

The purpose is work communication and answering customers' inquiries. The server holds only what it needs for delivery (see the table); content is end-to-end encrypted. ${FILL.en}

## 3. Risks to rights and freedoms (c)

| Risk | Likelihood | Severity | Assessment |
| --- | --- | --- | --- |
| Unauthorised access to content | ${FILL.en} | ${FILL.en} | ${FILL.en} |
| Analysis of metadata (who with whom) | ${FILL.en} | ${FILL.en} | ${FILL.en} |
| Loss of a device | ${FILL.en} | ${FILL.en} | ${FILL.en} |
| Monitoring of staff performance or behaviour | ${FILL.en} | ${FILL.en} | ${FILL.en} |
| Server outage | ${FILL.en} | ${FILL.en} | ${FILL.en} |

## 4. Measures (d)

${m}

## 5. Result

Residual risk: ${FILL.en}. Opinion of the data protection officer: ${FILL.en}. Involvement of the works council: ${FILL.en}.
`,
  };
}

/** Art. 30 GDPR: the record of processing activities for the messenger. */
import type { Lang } from "../dataCategories.js";
import type { PrivacyFacts } from "../privacyFacts.js";
import { categoryTable, header, hosting, storeName, type RenderedDocument } from "./common.js";

export function renderRecord(f: PrivacyFacts, lang: Lang, now: Date): RenderedDocument {
  if (lang === "de") {
    const title = "Verzeichnis von Verarbeitungstätigkeiten (Art. 30 DSGVO): Messenger Bote";
    return {
      title,
      markdown: `${header(title, f, "de", now)}
| Angabe | Inhalt |
| --- | --- |
| Verantwortlicher | ${f.organisation} |
| Verarbeitung | Ende-zu-Ende-verschlüsselter Messenger unter ${f.publicUrl} |
| Zwecke | interne Kommunikation der Beschäftigten; Anfragen von Kundinnen und Kunden über Kontaktpunkte und deren Beantwortung |
| Betroffene | Beschäftigte (Konten durch Einladung); Kundinnen und Kunden (Gastkonten je Anfrage) |
| Empfänger | Hosting: ${hosting(f, "de")}; Push-Dienste der Browser (nur Wecksignal ohne Inhalt) |
| Drittländer | keine durch Bote; Push-Dienste der Browserhersteller können außerhalb der EU sitzen |
| Datenbank | ${storeName(f, "de")} |
| Maßnahmen | siehe „Technische und organisatorische Maßnahmen (Art. 32 DSGVO)“ |

## Datenkategorien und Löschfristen

${categoryTable(f, "de", "all")}
`,
    };
  }
  const title = "Record of processing activities (Art. 30 GDPR): Bote messenger";
  return {
    title,
    markdown: `${header(title, f, "en", now)}
| Item | Content |
| --- | --- |
| Controller | ${f.organisation} |
| Processing | end-to-end encrypted messenger at ${f.publicUrl} |
| Purposes | internal communication of staff; customers' inquiries through contact points and their answers |
| Data subjects | staff (accounts by invitation); customers (a guest account per inquiry) |
| Recipients | hosting: ${hosting(f, "en")}; browsers' push services (a wake-up signal without content only) |
| Third countries | none by Bote; browser vendors' push services may be outside the EU |
| Database | ${storeName(f, "en")} |
| Measures | see "Technical and organisational measures (Art. 32 GDPR)" |

## Data categories and deletion periods

${categoryTable(f, "en", "all")}
`,
  };
}

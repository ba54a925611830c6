/** What every generated document shares: the facts in words, the table of data categories, the header. */
import { dataCategories, notHeld, type Lang } from "../dataCategories.js";
import type { PrivacyFacts } from "../privacyFacts.js";

export interface RenderedDocument {
  title: string;
  markdown: string;
}

export function storeName(f: PrivacyFacts, lang: Lang): string {
  const db = f.store === "sqlite" ? `SQLite ${f.versions.database}` : `PostgreSQL ${f.versions.database}`;
  if (f.store === "postgres") return db;
  return lang === "de" ? `${db} (eine Datei auf dem Server)` : `${db} (one file on the server)`;
}

export function hosting(f: PrivacyFacts, lang: Lang): string {
  if (f.hostingLocation !== undefined) return f.hostingLocation;
  return lang === "de"
    ? "[nicht angegeben: `bote serve --hosting-location` setzen]"
    : "[not given: set `bote serve --hosting-location`]";
}

export function tlsText(f: PrivacyFacts, lang: Lang): string {
  const de = {
    acme: "HTTPS mit eigenem Zertifikat (ACME, RFC 8555), von Bote selbst beantragt und erneuert",
    proxy: "HTTPS, beendet an einem vorgeschalteten Reverse-Proxy",
    none: "kein HTTPS (nur für Tests und ein geschlossenes Netz geeignet)",
  };
  const en = {
    acme: "HTTPS with its own certificate (ACME, RFC 8555), obtained and renewed by Bote itself",
    proxy: "HTTPS, ended at a reverse proxy in front",
    none: "no HTTPS (suitable only for tests and a closed network)",
  };
  return (lang === "de" ? de : en)[f.tls];
}

export function versionsLine(f: PrivacyFacts, lang: Lang): string {
  const db = f.store === "sqlite" ? "SQLite" : "PostgreSQL";
  return lang === "de"
    ? `Bote ${f.versions.bote}, Node.js ${f.versions.node}, ${db} ${f.versions.database}`
    : `Bote ${f.versions.bote}, Node.js ${f.versions.node}, ${db} ${f.versions.database}`;
}

export function header(title: string, f: PrivacyFacts, lang: Lang, now: Date): string {
  const stamp = now.toISOString().slice(0, 10);
  const generated =
    lang === "de"
      ? `Erstellt am ${stamp} aus der laufenden Konfiguration von ${f.publicUrl} (${versionsLine(f, lang)}).`
      : `Generated on ${stamp} from the running configuration of ${f.publicUrl} (${versionsLine(f, lang)}).`;
  return `# ${title}\n\n**${f.organisation}**\n\n_${generated}_\n`;
}

/** The categories whose subjects include who; "both" counts for staff and customers alike. */
export function categoryTable(f: PrivacyFacts, lang: Lang, who: "staff" | "customers" | "all"): string {
  const head =
    lang === "de"
      ? "| Daten | Was genau | Speicherdauer |\n| --- | --- | --- |"
      : "| Data | What exactly | Kept |\n| --- | --- | --- |";
  const rows = dataCategories
    .filter((c) => c.personal && (who === "all" || c.subjects === who || c.subjects === "both"))
    .map((c) => {
      const t = c.text(f)[lang];
      return `| ${t.name} | ${t.what} | ${t.kept} |`;
    });
  return [head, ...rows, "", notHeld[lang]].join("\n");
}

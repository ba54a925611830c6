/**
 * The app's texts: i18next with one catalog per language and keys typed
 * from the German catalog (German is the default; English must have every
 * key). Whole sentences only, with placeholders — never glued fragments.
 * Dates, times and numbers go through Intl in the active language. The
 * English catalog is an import(), fetched before first paint on a device set
 * to English and otherwise only when English is chosen.
 */
import i18next from "i18next";
import { signal } from "@preact/signals";
import { de } from "./de.js";

export type Language = "de" | "en";
export const languages: readonly Language[] = ["de", "en"];

declare module "i18next" {
  interface CustomTypeOptions {
    defaultNS: "translation";
    resources: { translation: typeof de };
  }
}

const STORAGE_KEY = "bote.language";

function storedLanguage(): Language {
  const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
  return stored === "en" || stored === "de" ? stored : "de";
}

/** Components read this signal, so a language switch re-renders everything. */
export const language = signal<Language>(storedLanguage());

/** Whether this browser's person picked a language (Einstellungen, the join screen or the setup). */
function hasChosenLanguage(): boolean {
  const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
  return stored === "en" || stored === "de";
}

async function englishCatalog(): Promise<typeof de> {
  return (await import("./en.js")).en;
}

async function ensureCatalog(next: Language): Promise<void> {
  if (next === "de" || i18next.hasResourceBundle(next, "translation")) return;
  i18next.addResourceBundle(next, "translation", await englishCatalog());
}

export async function startI18n(): Promise<void> {
  // Awaited before the first render, so a device set to English never shows German first.
  const en = language.value === "en" ? { en: { translation: await englishCatalog() } } : {};
  await i18next.init({
    lng: language.value,
    fallbackLng: "de",
    supportedLngs: [...languages],
    resources: { de: { translation: de }, ...en },
    // Preact escapes text itself; escaping here would show "&amp;".
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  document.documentElement.lang = language.value;
}

export async function setLanguage(next: Language): Promise<void> {
  await ensureCatalog(next);
  await i18next.changeLanguage(next);
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
  language.value = next;
}

/** The organisation's language (its policy), shown until the person chooses one here; not stored. */
export async function organisationLanguage(next: Language): Promise<void> {
  if (hasChosenLanguage() || language.value === next) return;
  await ensureCatalog(next);
  await i18next.changeLanguage(next);
  document.documentElement.lang = next;
  language.value = next;
}

export const t = i18next.t.bind(i18next);

export function formatTime(ms: number): string {
  return new Intl.DateTimeFormat(language.value, { hour: "2-digit", minute: "2-digit" }).format(ms);
}

/** Today: the time; this week: the weekday; older: the date. */
export function formatDay(ms: number, now = Date.now()): string {
  const day = 24 * 60 * 60 * 1000;
  if (new Date(ms).toDateString() === new Date(now).toDateString()) return formatTime(ms);
  if (now - ms < 6 * day) return new Intl.DateTimeFormat(language.value, { weekday: "short" }).format(ms);
  return new Intl.DateTimeFormat(language.value, { dateStyle: "short" }).format(ms);
}

/** A date with its time, as an expiry reads: "10.12.2026, 09:30". */
export function formatDateTime(ms: number): string {
  return new Intl.DateTimeFormat(language.value, { dateStyle: "medium", timeStyle: "short" }).format(ms);
}

export function formatBytes(bytes: number): string {
  const units = ["byte", "kilobyte", "megabyte", "gigabyte"] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return new Intl.NumberFormat(language.value, {
    style: "unit",
    unit: units[unit],
    unitDisplay: "short",
    maximumFractionDigits: unit === 0 ? 0 : 1,
  }).format(value);
}

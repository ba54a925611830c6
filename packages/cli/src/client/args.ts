/**
 * The one gate for the client commands' command line: commander's raw values (`unknown`) in, typed
 * options out, or a UsageError (exit code 2) that names the option in the user's language. Every
 * command passes it before it opens a profile, so a mistyped command touches nothing.
 */
import { cliLanguage, UsageError, type Language } from "../messages.js";
import { clientMessages, type ClientMessages } from "./clientMessages.js";

/** Reads one value; `name` is how the user wrote it (`--limit`, `<contact>`), for the message. */
export type Field<T> = (value: unknown, name: string, t: ClientMessages) => T;

export type Shape = Record<string, Field<unknown>>;

export type Parsed<S extends Shape> = { [K in keyof S]: ReturnType<S[K]> };

/** A value as the message shows it: what the user typed, or (for a mistake in a declaration) its JSON. */
const shown = (value: unknown): string => (typeof value === "string" ? value : (JSON.stringify(value) ?? "undefined"));

export const text: Field<string> = (value, name, t) => {
  if (typeof value !== "string") throw new UsageError(t.usage.invalid(name, shown(value)));
  return value;
};

export const optionalText: Field<string | undefined> = (value, name, t) =>
  value === undefined ? undefined : text(value, name, t);

/** A message id as the CLI prints it: 16 bytes in base64url, 22 characters. */
export const messageIdField: Field<string> = (value, name, t) => {
  const id = text(value, name, t);
  if (!/^[A-Za-z0-9_-]{22}$/.test(id)) throw new UsageError(t.usage.invalid(name, id));
  return id;
};

/** Words of a variadic argument (`[text...]`). */
export const words: Field<string[]> = (value, name, t) => {
  if (!Array.isArray(value)) throw new UsageError(t.usage.invalid(name, shown(value)));
  return value.map((word) => text(word, name, t));
};

/** A switch; absent means `fallback` (true for a `--no-…` option, whose default commander sets). */
export function flag(fallback: boolean): Field<boolean> {
  return (value, name, t) => {
    if (value === undefined) return fallback;
    if (typeof value !== "boolean") throw new UsageError(t.usage.invalid(name, shown(value)));
    return value;
  };
}

export const positiveInteger: Field<number> = (value, name, t) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(t.usage.invalid(name, shown(value)));
  return n;
};

/** A whole number from 0 to `max` (days to keep, where 0 means "keep"). */
export function boundedInteger(max: number): Field<number | undefined> {
  return (value, name, t) => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (typeof value !== "string" || !/^\d+$/.test(value) || n > max)
      throw new UsageError(t.usage.invalid(name, shown(value)));
    return n;
  };
}

/** A comma-separated list, each item one of `allowed` (`--require name,phone`); absent is empty. */
export function listOf<const T extends string>(...allowed: T[]): Field<T[]> {
  return (value, name, t) => {
    if (value === undefined) return [];
    const items = text(value, name, t)
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item !== "");
    return [...new Set(items.map((item) => oneOf(...allowed)(item, name, t)))];
  };
}

export function oneOf<const T extends string>(...allowed: T[]): Field<T> {
  return (value, name, t) => {
    const found = allowed.find((a) => a === value);
    if (found === undefined) throw new UsageError(t.usage.oneOf(name, allowed, shown(value)));
    return found;
  };
}

/** The options every client command has (see clientCommand). */
export const clientShape = { profile: optionalText, json: flag(false) };

/** `--kebab-case`, as the option was typed, from commander's camelCase key. */
const optionName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * Reads a command's options. `refuse` names a rule between options (or arguments) and returns the
 * message when it is broken. An option without a rule is a mistake in the command's declaration,
 * not the user's, and fails as such.
 */
export function parseOptions<S extends Shape>(
  raw: unknown,
  shape: S,
  refuse?: (options: Parsed<S & typeof clientShape>, t: ClientMessages) => string | undefined,
  language: Language = cliLanguage(),
): Parsed<S & typeof clientShape> {
  const t = clientMessages(language);
  const values: Record<string, unknown> = typeof raw === "object" && raw !== null ? { ...raw } : {};
  const fields: Shape = { ...clientShape, ...shape };
  for (const key of Object.keys(values)) {
    if (!Object.hasOwn(fields, key)) throw new Error(`${optionName(key)} has no rule in the argument gate`);
  }
  const options: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(fields)) options[key] = field(values[key], optionName(key), t);
  const parsed = options as Parsed<S & typeof clientShape>;
  const refused = refuse?.(parsed, t);
  if (refused !== undefined) throw new UsageError(refused);
  return parsed;
}

/** Reads a positional argument, named as in the usage line (`<contact>`). */
export function parseArgument<T>(raw: unknown, name: string, field: Field<T>, language: Language = cliLanguage()): T {
  return field(raw, name, clientMessages(language));
}

/**
 * How values cross between Node and the page: JSON with tagged bytes and
 * undefined, so a record arrives exactly as it was sent (an undefined
 * optional stays a present key, a non-Uint8Array stays what it was).
 */
export function encode(value: unknown): string {
  return JSON.stringify(tag(value));
}

export function decode(text: string): unknown {
  return untag(JSON.parse(text) as unknown);
}

function tag(value: unknown): unknown {
  if (value === undefined) return { $undefined: true };
  if (value instanceof Uint8Array) return { $bytes: Array.from(value) };
  if (Array.isArray(value)) return value.map(tag);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, tag(v)]));
  }
  return value;
}

function untag(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(untag);
  if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (o.$undefined === true) return undefined;
    if (Array.isArray(o.$bytes)) return Uint8Array.from(o.$bytes as number[]);
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, untag(v)]));
  }
  return value;
}

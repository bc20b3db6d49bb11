/**
 * The converters the generated SenseLink decoders use (`generated/senselink.ts`): lenient readings
 * of the engine's parsed values into the documented output shapes. The server is loose about types
 * (`gender` as an int or a string, ids as numbers or strings, times with a `.0` suffix, `null` or
 * missing fields), so every converter gives a well-typed value or `null`, and one odd field never
 * fails a page.
 * @internal
 */

/** An object from a parsed answer. */
export type Raw = Readonly<Record<string, unknown>>;

const DIGITS = /^-?\d{1,18}$/;

/** An integer from a number without fraction or a string of digits; `null` otherwise. */
export function int(value: unknown): number | null {
  if (typeof value === "number") return Number.isInteger(value) && Math.abs(value) < 9e15 ? value : null;
  if (typeof value === "string" && DIGITS.test(value)) return Number(value);
  return null;
}

/** An id: an integer, `0` when missing or unreadable. */
export function key(value: unknown): number {
  return int(value) ?? 0;
}

/** A string from a string, a number or a boolean; `null` otherwise. */
export function str(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return null;
}

/** A name: a string, `""` when missing. */
export function name(value: unknown): string {
  return str(value) ?? "";
}

/** A `YYYY-MM-DD hh:mm:ss` time with any `.0` fraction removed. */
export function time(value: unknown): string | null {
  const text = str(value);
  if (text === null) return null;
  const dot = text.lastIndexOf(".");
  if (dot < 0) return text;
  const colon = text.indexOf(":");
  if (dot < 16 || colon < 0 || colon > dot) return text;
  // Only digits after the dot (a loop: a regular expression here was a tenth of a page's shaping).
  for (let i = dot + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return text;
  }
  return text.slice(0, dot);
}

/** A number (or a numeric string). */
export function float(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && value.trim() !== "") {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** Unix seconds (a value that looks like milliseconds is divided by 1000). */
export function secs(value: unknown): number | null {
  const n = int(value);
  return n === null ? null : n > 100_000_000_000 ? Math.trunc(n / 1000) : n;
}

/** The objects of a list, decoded (other items skipped); `absent` when it is not a list. */
export function objects<T, A>(value: unknown, decode: (o: Raw) => T, absent: A): T[] | A {
  if (!Array.isArray(value)) return absent;
  const out: T[] = [];
  for (const item of value) if (item !== null && typeof item === "object" && !Array.isArray(item)) out.push(decode(item as Raw));
  return out;
}

/** `snake_case` → `camelCase`. */
function camel(name: string): string {
  return name.replace(/_+(.)?/g, (match, ch: string | undefined, offset: number) => (offset === 0 ? (ch ?? "") : (ch ?? "").toUpperCase()));
}

/** A value with every object key turned into camelCase (answers without a documented shape). */
export function camelize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelize);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[camel(k)] = camelize(v);
  return out;
}

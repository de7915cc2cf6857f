/**
 * The JSON encoding of the values that cross the core's surface: Buffers
 * and Uint8Arrays as base64, bigints as decimal strings, `undefined` where
 * JSON has no place for it. The encoding is also the deep copy the recorder
 * keeps, so a core reusing its buffers cannot change a recording.
 */

/** A JSON-safe encoded value. */
export type EncodedValue = null | boolean | number | string | EncodedValue[] | { [key: string]: EncodedValue };

/**
 * Encodes a value:
 * - `Uint8Array` (Buffer included) → `{ "$bytes": "<base64>" }`;
 * - `bigint` → `{ "$bigint": "<decimal>" }`;
 * - `undefined` → `{ "$undefined": true }` (object properties that are
 *   undefined are left out instead);
 * - non-finite numbers → `{ "$number": "NaN" | "Infinity" | "-Infinity" }`;
 * - an object with a key starting with `$` → `{ "$object": { ... } }`;
 * - functions and symbols → `{ "$unsupported": "<typeof>" }`.
 */
export function encodeValue(value: unknown): EncodedValue {
  if (value === undefined) return { $undefined: true };
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : { $number: String(value) };
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (Array.isArray(value)) return value.map(encodeValue);
  if (typeof value === 'object') {
    const out: { [key: string]: EncodedValue } = {};
    let escaped = false;
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      if (k.startsWith('$')) escaped = true;
      out[k] = encodeValue(v);
    }
    return escaped ? { $object: out } : out;
  }
  return { $unsupported: typeof value };
}

/** Inverse of {@link encodeValue}: Buffers come back as `Buffer`. */
export function decodeValue(value: EncodedValue): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(decodeValue);
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const k = keys[0];
    const v = value[k]!;
    if (k === '$bytes' && typeof v === 'string') return Buffer.from(v, 'base64');
    if (k === '$bigint' && typeof v === 'string') return BigInt(v);
    if (k === '$undefined') return undefined;
    if (k === '$number' && typeof v === 'string') return Number(v);
    if (k === '$object' && v !== null && typeof v === 'object' && !Array.isArray(v)) return decodeObject(v);
  }
  return decodeObject(value);
}

function decodeObject(value: { [key: string]: EncodedValue }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = decodeValue(v);
  return out;
}

/** True when an encoded value is a `$bytes` node. */
export function isBytesNode(value: EncodedValue): value is { $bytes: string } {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    typeof value.$bytes === 'string' &&
    Object.keys(value).length === 1
  );
}

/**
 * Deep comparison of encoded values that names the first place where they
 * differ, down to the byte of a packet.
 */
import { isBytesNode, type EncodedValue } from './values.js';

/** Where and how two values differ. */
export interface ValueDifference {
  /** Path from the compared root, e.g. `.data[byte 34]` or `.to.port`. */
  path: string;
  /** The recorded value at that path, summarized. */
  expected: string;
  /** The value produced, summarized. */
  actual: string;
}

const MAX_SUMMARY = 160;

/** A short printable form of an encoded value. */
export function summarize(value: EncodedValue | undefined): string {
  if (value === undefined) return '(absent)';
  if (isBytesNode(value)) {
    const bytes = Buffer.from(value.$bytes, 'base64');
    const hex = bytes.subarray(0, 24).toString('hex');
    return `<${bytes.length} bytes ${hex}${bytes.length > 24 ? '…' : ''}>`;
  }
  const text = JSON.stringify(value);
  return text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY)}…` : text;
}

function kind(value: EncodedValue | undefined): string {
  if (value === undefined) return 'absent';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (isBytesNode(value)) return 'bytes';
  return typeof value;
}

function hexByte(b: number | undefined): string {
  return b === undefined ? '(end)' : `0x${b.toString(16).padStart(2, '0')}`;
}

/**
 * Returns the first difference between two encoded values, or undefined
 * when they are equal. Object keys in `ignoreKeys` are not compared, at any
 * depth (e.g. human-readable `reason` texts).
 */
export function findDifference(
  expected: EncodedValue | undefined,
  actual: EncodedValue | undefined,
  path = '',
  ignoreKeys?: ReadonlySet<string>,
): ValueDifference | undefined {
  const k = kind(expected);
  if (k !== kind(actual)) return { path: path || '(root)', expected: summarize(expected), actual: summarize(actual) };
  if (k === 'bytes') {
    const e = Buffer.from((expected as { $bytes: string }).$bytes, 'base64');
    const a = Buffer.from((actual as { $bytes: string }).$bytes, 'base64');
    if (e.equals(a)) return undefined;
    let i = 0;
    while (i < e.length && i < a.length && e[i] === a[i]) i++;
    return {
      path: `${path}[byte ${i}]`,
      expected: `${hexByte(e[i])} (${e.length} bytes)`,
      actual: `${hexByte(a[i])} (${a.length} bytes)`,
    };
  }
  if (k === 'array') {
    const e = expected as EncodedValue[];
    const a = actual as EncodedValue[];
    for (let i = 0; i < Math.min(e.length, a.length); i++) {
      const d = findDifference(e[i], a[i], `${path}[${i}]`, ignoreKeys);
      if (d) return d;
    }
    if (e.length !== a.length) return { path: `${path}.length`, expected: String(e.length), actual: String(a.length) };
    return undefined;
  }
  if (k === 'object') {
    const e = expected as { [key: string]: EncodedValue };
    const a = actual as { [key: string]: EncodedValue };
    const keys = [...new Set([...Object.keys(e), ...Object.keys(a)])].sort();
    for (const key of keys) {
      if (ignoreKeys?.has(key)) continue;
      const d = findDifference(e[key], a[key], `${path}.${key}`, ignoreKeys);
      if (d) return d;
    }
    return undefined;
  }
  if (expected !== actual) return { path: path || '(root)', expected: summarize(expected), actual: summarize(actual) };
  return undefined;
}

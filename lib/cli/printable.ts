/**
 * Text from the other side (a signalling line, an error quoting one) made
 * safe to print in one diagnostic line: control characters escaped, length
 * bounded. A peer's line can be of any length and carry terminal escapes.
 */

/** Default bound of {@link printable}, in characters. */
export const MAX_ECHOED_CHARS = 200;

// C0 and C1 controls, DEL, and the Unicode line/paragraph separators and bidi overrides.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escape(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every control character as `\xNN` / `\uNNNN`, cut to `max`
 * characters (before escaping) with `…(N more)` saying what was left out.
 */
export function printable(text: string, max: number = MAX_ECHOED_CHARS): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  const escaped = cut.replace(CONTROL, escape);
  return text.length > max ? `${escaped}…(${text.length - max} more)` : escaped;
}

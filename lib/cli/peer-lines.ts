/**
 * The signalling lines `ice-tcp peer` reads (the other side's stdout, as it
 * is). Every line it does not know is ignored, so one peer's whole output
 * can be fed to the other: `selected …`, `state …`, `result …` and the like
 * fall through.
 *
 * Read: `ufrag <u>` | `a=ice-ufrag:<u>`, `pwd <p>` | `a=ice-pwd:<p>`,
 * `a=candidate:…` | `candidate:…`, `end-of-candidates`, `done`, and with
 * `--tls`: `fingerprint <hash> <XX:…>` | `a=fingerprint:<hash> <XX:…>`,
 * `setup <role>` | `a=setup:<role>`, and `result fail <reason>` (the peer
 * gave up).
 */

/** One line, understood. */
export type PeerLine =
  | { kind: 'ufrag'; value: string }
  | { kind: 'pwd'; value: string }
  /** The candidate attribute with `a=` removed: `candidate:…`. */
  | { kind: 'candidate'; value: string }
  | { kind: 'end-of-candidates' }
  | { kind: 'done' }
  /** The fingerprint text after the attribute name: `sha-256 AB:…`. */
  | { kind: 'fingerprint'; value: string }
  /** The setup value: `actpass`, `active`, `passive` or whatever the peer wrote. */
  | { kind: 'setup'; value: string }
  /** The peer's last line when it failed: `result fail <reason>`. */
  | { kind: 'peer-failed'; reason: string }
  | { kind: 'ignored' };

/** Parses one line (surrounding blanks and a trailing CR are ignored). */
export function parsePeerLine(raw: string): PeerLine {
  const line = raw.trim();
  let m: RegExpExecArray | null;
  if ((m = /^(?:ufrag |a=ice-ufrag:)(.*)$/.exec(line)) !== null) return { kind: 'ufrag', value: m[1].trim() };
  if ((m = /^(?:pwd |a=ice-pwd:)(.*)$/.exec(line)) !== null) return { kind: 'pwd', value: m[1].trim() };
  if ((m = /^(?:a=)?(candidate:.*)$/.exec(line)) !== null) return { kind: 'candidate', value: m[1] };
  if (line === 'end-of-candidates' || line === 'a=end-of-candidates') return { kind: 'end-of-candidates' };
  if (line === 'done') return { kind: 'done' };
  // RFC 8122 §5 (a=fingerprint), RFC 4145 §4 (a=setup); the CLI's forms use a space.
  if ((m = /^(?:a=fingerprint:|fingerprint )(.*)$/i.exec(line)) !== null) return { kind: 'fingerprint', value: m[1].trim() };
  if ((m = /^(?:a=setup:|setup )(.*)$/i.exec(line)) !== null) return { kind: 'setup', value: m[1].trim() };
  if ((m = /^result fail(?: (.*))?$/.exec(line)) !== null) return { kind: 'peer-failed', reason: (m[1] ?? '').trim() };
  return { kind: 'ignored' };
}

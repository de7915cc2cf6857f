/**
 * Alerts (RFC 5246 §7.2): level and description, two bytes.
 *
 * @module
 */

/** Alert levels (RFC 5246 §7.2). */
export const AlertLevel = { warning: 1, fatal: 2 } as const;

/** The alert descriptions we send or name (RFC 5246 §7.2, RFC 5746 §3.5). */
export const AlertDescription = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_unknown: 46,
  illegal_parameter: 47,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  user_canceled: 90,
  no_renegotiation: 100,
  unsupported_extension: 110,
} as const;

/** The name of an alert description, for messages. */
export function alertName(description: number): string {
  for (const [name, value] of Object.entries(AlertDescription)) if (value === description) return name;
  return `alert(${description})`;
}

/** An alert record's body. */
export function encodeAlert(level: number, description: number): Uint8Array {
  return Uint8Array.of(level, description);
}

/**
 * DTLS-SRTP protection profiles (RFC 5764 §4.1.2, RFC 7714 §14.2) and how
 * much keying material each needs (RFC 5764 §4.2: 2 × (key + salt)).
 *
 * @module
 */

export const SrtpProfile = {
  SRTP_AES128_CM_HMAC_SHA1_80: 0x0001,
  SRTP_AES128_CM_HMAC_SHA1_32: 0x0002,
  SRTP_AEAD_AES_128_GCM: 0x0007,
  SRTP_AEAD_AES_256_GCM: 0x0008,
} as const;

export type SrtpProfileName = keyof typeof SrtpProfile;

/** Key and salt bytes of each profile. */
const SIZES: Readonly<Record<SrtpProfileName, { key: number; salt: number }>> = {
  SRTP_AES128_CM_HMAC_SHA1_80: { key: 16, salt: 14 },
  SRTP_AES128_CM_HMAC_SHA1_32: { key: 16, salt: 14 },
  SRTP_AEAD_AES_128_GCM: { key: 16, salt: 12 },
  SRTP_AEAD_AES_256_GCM: { key: 32, salt: 12 },
};

/** The exporter label of RFC 5764 §4.2. */
export const SRTP_EXPORTER_LABEL = 'EXTRACTOR-dtls_srtp';

export function srtpProfileName(id: number): SrtpProfileName | undefined {
  for (const [name, value] of Object.entries(SrtpProfile)) if (value === id) return name as SrtpProfileName;
  return undefined;
}

/** Bytes of keying material for a profile: client key, server key, client salt, server salt (RFC 5764 §4.2). */
export function srtpKeyingMaterialLength(name: SrtpProfileName): number {
  const s = SIZES[name];
  return 2 * (s.key + s.salt);
}

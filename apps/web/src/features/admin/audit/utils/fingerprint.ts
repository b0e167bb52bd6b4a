/** Decodes base64url (with or without padding) with the browser's own decoder. */
export function base64UrlToBytes(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/**
 * Hex SHA-256 of a base64url public key — the fingerprint the server and the verifier print — computed with
 * WebCrypto (no libsodium needed on this page). Null where WebCrypto is unavailable (plain-HTTP origins).
 */
export async function keyFingerprint(publicKey: string): Promise<string | null> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return null;
  const digest = await subtle.digest('SHA-256', base64UrlToBytes(publicKey));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** A 64-digit hex fingerprint in groups of four, easier to compare by eye. */
export function groupHex(hex: string): string {
  return hex.replace(/(.{4})(?=.)/g, '$1 ');
}

/** The start and end of a long hash, for tables and cards; the full value stays one click (copy) away. */
export function shortHash(hex: string, head = 12, tail = 8): string {
  return hex.length <= head + tail + 1 ? hex : `${hex.slice(0, head)}…${hex.slice(-tail)}`;
}

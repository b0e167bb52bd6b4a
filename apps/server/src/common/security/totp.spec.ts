import { base32Decode, base32Encode, matchTotp, otpauthUrl, totpCode } from './totp.js';

// RFC 6238 Appendix B, SHA-1 secret "12345678901234567890"; we use 6 digits (the low 6 of the 8-digit values).
const RFC_SECRET = base32Encode(Buffer.from('12345678901234567890', 'ascii'));
const VECTORS: Array<[number, string]> = [
  [59, '287082'],
  [1111111109, '081804'],
  [1111111111, '050471'],
  [1234567890, '005924'],
  [2000000000, '279037'],
  [20000000000, '353130'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(VECTORS)('matches the RFC vector at T=%i', (seconds, code) => {
    expect(totpCode(RFC_SECRET, Math.floor(seconds / 30))).toBe(code);
  });

  it('accepts one step of clock drift either way and nothing further', () => {
    const now = 1_700_000_000_000;
    const step = Math.floor(now / 30_000);
    expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, step - 1), now)).toBe(step - 1);
    expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, step + 1), now)).toBe(step + 1);
    expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, step + 2), now)).toBeNull();
  });

  it('round-trips base32 and rejects invalid characters', () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255, 128, 64]);
    expect(base32Decode(base32Encode(bytes))).toEqual(bytes);
    expect(() => base32Decode('ABC1')).toThrow();
  });

  it('builds an otpauth URL that authenticator apps read', () => {
    expect(otpauthUrl('ABCD', 'zhang.san', 'Miyu')).toBe(
      'otpauth://totp/Miyu:zhang.san?secret=ABCD&issuer=Miyu&algorithm=SHA1&digits=6&period=30',
    );
  });
});

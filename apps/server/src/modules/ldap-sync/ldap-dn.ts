/**
 * Distinguished names (RFC 4514), as far as the sync needs them: split into RDNs with escapes undone, and a
 * normalised form (attribute types and values lower-cased, spaces around separators dropped) to compare DNs that
 * different servers spell differently.
 */
export interface Rdn {
  /** Lower-cased attribute type, e.g. `ou`. */
  type: string;
  /** The value with escapes undone, case kept. */
  value: string;
}

function unescapeValue(raw: string): string {
  const bytes: number[] = [];
  const text = raw.trim();
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      const hex = text.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
      } else {
        bytes.push(...Buffer.from(text[i + 1]!, 'utf8'));
        i += 1;
      }
    } else bytes.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The RDNs of a DN, the entry's own first; null when the DN is malformed. Multi-valued RDNs keep their first part. */
export function parseDn(dn: string): Rdn[] | null {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i]!;
    if (c === '\\') {
      current += dn.slice(i, i + 2);
      i += 1;
    } else if (c === ',' || c === ';') {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  const rdns: Rdn[] = [];
  for (const part of parts) {
    const first = part.split(/(?<!\\)\+/)[0]!;
    const eq = first.indexOf('=');
    if (eq <= 0) return null;
    const type = first.slice(0, eq).trim().toLowerCase();
    if (!/^[a-z][a-z0-9-]*$|^[0-9]+(\.[0-9]+)*$/.test(type)) return null;
    rdns.push({ type, value: unescapeValue(first.slice(eq + 1)) });
  }
  return rdns.length > 0 ? rdns : null;
}

export function rdnsKey(rdns: Rdn[]): string {
  return rdns.map((r) => `${r.type}=${r.value.toLowerCase()}`).join(',');
}

/** The normalised DN, or the trimmed lower-cased text when it cannot be parsed. */
export function normaliseDn(dn: string): string {
  const rdns = parseDn(dn);
  return rdns ? rdnsKey(rdns) : dn.trim().toLowerCase();
}

/** The RDNs of `dn` below `base` (the entry's own first), or null when `dn` is not under `base`. */
export function relativeRdns(dn: Rdn[], base: Rdn[]): Rdn[] | null {
  if (dn.length < base.length) return null;
  const tail = dn.slice(dn.length - base.length);
  if (rdnsKey(tail) !== rdnsKey(base)) return null;
  return dn.slice(0, dn.length - base.length);
}

import { isIP } from 'node:net';

/*
 * What guests type is normalized once, at input, and stored normalized: a name without control
 * or bidi-override characters, a website URL as the URL parser re-serializes it (http(s) only, so
 * `"` and `<` arrive percent-encoded), and the Unicode folding duplicate detection and the
 * blocklist compare with. Flood control groups addresses the way providers hand them out.
 */

/**
 * The bidirectional controls: embeddings and overrides
 * (U+202A–U+202E), isolates (U+2066–U+2069), the left-to-right / right-to-left marks (U+200E,
 * U+200F) and the Arabic letter mark (U+061C). A name with a right-to-left override reads
 * backwards from wherever it is shown; one with a newline or an escape code breaks lines and logs.
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/gu;
/** C0 and C1 control characters. */
const CONTROLS = /\p{Cc}/gu;

/**
 * A guest's name as shown: NFC, bidi controls removed, other controls (tabs, newlines, escapes)
 * turned into spaces, spaces collapsed, trimmed.
 */
export function normalizeName(raw: string): string {
  return raw.normalize('NFC').replace(BIDI_CONTROLS, '').replace(CONTROLS, ' ').replace(/\s+/g, ' ').trim();
}

/** A guest's email: trimmed; null when it holds a control or format character (never valid). */
export function normalizeEmail(raw: string): string | null {
  const email = raw.trim();
  return /[\p{Cc}\p{Cf}]/u.test(email) ? null : email;
}

export type UrlResult = { ok: true; url: string } | { ok: false; message: string };

// After parsing, a host is an IP literal or ASCII labels (IDNs arrive in punycode). The URL
// parser lets a few characters such as `"` through in a host; they have no business there.
const HOST = /^(?:\[[0-9a-f:.]+\]|[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?\.?)$/i;

/** A guest's website, parsed and re-serialized (`url.href`); only http(s), no credentials. */
export function normalizeUrl(raw: string, maxLength: number): UrlResult {
  const trimmed = raw.trim();
  if (trimmed.length > maxLength) return { ok: false, message: `The URL is too long: at most ${maxLength} characters.` };
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    return { ok: false, message: 'The website must be an http:// or https:// URL.' };
  }
  if (!['http:', 'https:'].includes(parsed.protocol) || !HOST.test(parsed.hostname)) {
    return { ok: false, message: 'The website must be an http:// or https:// URL.' };
  }
  if (parsed.username || parsed.password) {
    return { ok: false, message: 'The website may not contain a user name or password.' };
  }
  if (parsed.href.length > maxLength) {
    return { ok: false, message: `The URL is too long once normalized: at most ${maxLength} characters.` };
  }
  return { ok: true, url: parsed.href };
}

/** An email as the blocklist moderators keep compares it (blocked_senders): in lower case. */
export const senderEmail = (email: string | null) => (email ? email.toLowerCase() : null);

/**
 * Text as duplicate detection and the blocklist compare it: NFKC (fullwidth and other
 * compatibility forms become plain letters), without format characters (zero-width spaces and
 * joiners, soft hyphens, bidi controls: Unicode category Cf), whitespace collapsed, lower case.
 * "ｃａｓｉｎｏ", "cas\u200Bino" and "CASINO" are all "casino".
 */
export function fold(text: string): string {
  return text.normalize('NFKC').replace(/\p{Cf}/gu, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

/**
 * The address flood control counts a client as: an IPv4 address itself, an IPv6 address's /64
 * (one customer's network: a host picks any address in it at will) written `2001:db8:0:1::/64`.
 * Null for no address.
 */
export function floodGroup(ip: string | null): string | null {
  if (!ip) return null;
  const address = ip.replace(/%.*$/, ''); // a zone index (fe80::1%eth0) names an interface, not a host
  if (isIP(address) !== 6) return address;
  const hextets = expandIpv6(address);
  return `${hextets.slice(0, 4).map((h) => h.toString(16)).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (with `::` and a dotted IPv4 tail expanded). */
function expandIpv6(address: string): number[] {
  let text = address.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').map((h) => parseInt(h, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  return tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill(0), ...right];
}

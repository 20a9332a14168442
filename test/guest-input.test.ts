import { describe, expect, it } from 'vitest';
import { floodGroup, fold, normalizeEmail, normalizeName, normalizeUrl, senderEmail } from '../src/domain/guest-input.js';

/*
 * What guests type, normalized at input (src/domain/guest-input.ts): pure functions, tested as
 * such. test/add-comment.test.ts and test/xss.test.ts show the same rules through addComment.
 * Written against `npm run test:mutation`: each case is one a plausible slip in the code breaks.
 */

describe('normalizeName', () => {
  it('composes to NFC', () => {
    expect(normalizeName('Jose\u0301')).toBe('José');
  });

  it('removes every bidi control, at both ends of each range, and nothing next to them', () => {
    const controls = ['\u202A', '\u202C', '\u202E', '\u2066', '\u2067', '\u2069', '\u200E', '\u200F', '\u061C'];
    expect(normalizeName(`a${controls.join('b')}c`)).toBe(`a${'b'.repeat(controls.length - 1)}c`);
    // Just outside the ranges: U+2029 and U+202F are spaces, U+2065 is unassigned, U+206A a format character.
    expect(normalizeName('a\u2029b\u202Fc\u2065d\u206Ae\u200Df\u061Bg')).toBe('a b c\u2065d\u206Ae\u200Df\u061Bg');
  });

  it('turns C0 and C1 controls into single spaces, collapses whitespace and trims both ends', () => {
    expect(normalizeName('Ann\tLee\nJr\u001b[31m\u0085x')).toBe('Ann Lee Jr [31m x');
    expect(normalizeName('  Ann   Lee \u00A0 ')).toBe('Ann Lee');
    expect(normalizeName('Ann\u0000\u0000Lee')).toBe('Ann Lee');
    expect(normalizeName(' \t\n')).toBe('');
  });
});

describe('normalizeEmail', () => {
  it('trims both ends and keeps the case (the blocklist lowers it: senderEmail)', () => {
    expect(normalizeEmail('  Ann@Example.com\t')).toBe('Ann@Example.com');
  });

  it('is null when a control or format character is inside', () => {
    expect(normalizeEmail('ann\n@example.com')).toBeNull();
    expect(normalizeEmail('ann\u0007@example.com')).toBeNull();
    expect(normalizeEmail('ann\u200B@example.com')).toBeNull();
    expect(normalizeEmail('ann@exa\u202Emple.com')).toBeNull();
  });
});

describe('senderEmail', () => {
  it('lower-cases an email; no email is null', () => {
    expect(senderEmail('Ann@Example.COM')).toBe('ann@example.com');
    expect(senderEmail(null)).toBeNull();
    expect(senderEmail('')).toBeNull();
  });
});

describe('normalizeUrl', () => {
  const notHttp = { ok: false, message: 'The website must be an http:// or https:// URL.' };
  const ok = (url: string) => ({ ok: true, url });

  it('re-serializes http(s) URLs, trimmed, lower-casing the host and adding the root path', () => {
    expect(normalizeUrl('  https://Example.COM  ', 100)).toEqual(ok('https://example.com/'));
    expect(normalizeUrl('http://example.com/a?q="<x>"#f', 100)).toEqual(ok('http://example.com/a?q=%22%3Cx%3E%22#f'));
  });

  it('accepts IP literals, one-character hosts, trailing dots, underscores, hyphens and IDNs (as punycode)', () => {
    const cases: [string, string][] = [
      ['http://[2001:db8::1]/', 'http://[2001:db8::1]/'],
      ['http://[::ffff:192.0.2.33]/', 'http://[::ffff:c000:221]/'],
      ['http://192.0.2.1/', 'http://192.0.2.1/'],
      ['http://9/', 'http://0.0.0.9/'],
      ['http://a/', 'http://a/'],
      ['http://_/', 'http://_/'],
      ['http://a_/', 'http://a_/'],
      ['http://example.com./', 'http://example.com./'],
      ['http://my_host.example.com/', 'http://my_host.example.com/'],
      ['http://x-1.example/', 'http://x-1.example/'],
      ['http://é.example/', 'http://xn--9ca.example/'],
    ];
    for (const [url, normalized] of cases) expect(normalizeUrl(url, 100), url).toEqual(ok(normalized));
  });

  it('refuses other schemes, text that is no URL, and hosts with characters no host has', () => {
    const refused = ['ftp://example.com/', 'javascript:alert(1)', 'mailto:a@example.com', 'example.com', 'http://exa"mple.com/', 'http://a*b/', 'http://-a/', 'http://a.b-/', 'http://.a/', 'http://-/'];
    for (const url of refused) expect(normalizeUrl(url, 100), url).toEqual(notHttp);
  });

  it('refuses a user name, a password, or both', () => {
    const credentials = { ok: false, message: 'The website may not contain a user name or password.' };
    expect(normalizeUrl('http://ann@example.com/', 100)).toEqual(credentials);
    expect(normalizeUrl('http://:secret@example.com/', 100)).toEqual(credentials);
    expect(normalizeUrl('http://ann:secret@example.com/', 100)).toEqual(credentials);
  });

  it('takes a URL of exactly the limit, before and after normalizing; one more is too long', () => {
    const url = 'http://example.com/'; // 19 characters
    expect(normalizeUrl(url, 19)).toEqual(ok(url));
    expect(normalizeUrl(` ${url} `, 19)).toEqual(ok(url));
    expect(normalizeUrl(`${url}a`, 19)).toEqual({ ok: false, message: 'The URL is too long: at most 19 characters.' });
    // 18 characters as typed, 19 once the path is added.
    expect(normalizeUrl('http://example.com', 18)).toEqual({ ok: false, message: 'The URL is too long once normalized: at most 18 characters.' });
    expect(normalizeUrl('http://example.com', 19)).toEqual(ok(url));
  });
});

describe('fold', () => {
  it('folds compatibility forms, drops format characters, collapses whitespace, trims and lower-cases', () => {
    expect(fold('ｃａｓｉｎｏ')).toBe('casino');
    expect(fold('cas\u200Bi\u00ADn\u202Eo')).toBe('casino');
    expect(fold('  Cheap \t\n  CASINO  ')).toBe('cheap casino');
    expect(fold('a  b')).toBe('a b');
  });
});

describe('floodGroup', () => {
  it('is null for no address, and an IPv4 address (or anything not IPv6) itself', () => {
    expect(floodGroup(null)).toBeNull();
    expect(floodGroup('')).toBeNull();
    expect(floodGroup('192.0.2.7')).toBe('192.0.2.7');
    expect(floodGroup('unknown')).toBe('unknown');
  });

  it("is an IPv6 address's /64, however the address is written", () => {
    const cases: [string, string][] = [
      ['2001:db8:aa:1:ffff:ffff:ffff:2', '2001:db8:aa:1::/64'],
      ['2001:DB8:AA:1::1', '2001:db8:aa:1::/64'],
      // `::` inside the /64: the zeros it stands for are part of the network.
      ['2001:db8::1', '2001:db8:0:0::/64'],
      ['2001:db8::', '2001:db8:0:0::/64'],
      ['::1', '0:0:0:0::/64'],
      ['::', '0:0:0:0::/64'],
      ['1::2:3:4:5:6', '1:0:0:2::/64'],
      ['1:2::3:4:5:6:7', '1:2:0:3::/64'],
      // Leading zeros go, as in the canonical form.
      ['2001:0db8:000a:0001::', '2001:db8:a:1::/64'],
      // A dotted IPv4 tail is two groups: it moves what precedes it.
      ['2001:db8::1:2:3:192.0.2.33', '2001:db8:0:1::/64'],
      ['1::2:3:4:198.51.100.33', '1:0:0:2::/64'],
      ['::ffff:192.0.2.33', '0:0:0:0::/64'],
      // A zone index names an interface, not a host.
      ['fe80::1%eth0', 'fe80:0:0:0::/64'],
      ['fe80:1:2:3::1%2', 'fe80:1:2:3::/64'],
      ['1::2:3:4:192.0.2.33%eth0', '1:0:0:2::/64'],
    ];
    for (const [ip, group] of cases) expect(floodGroup(ip), ip).toBe(group);
  });
});

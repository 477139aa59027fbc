import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import {
  buildUiAuthSecret,
  generatePassword,
  hashHtpasswd,
  HTPASSWD_BCRYPT_PREFIX,
  verifyHtpasswd,
} from '../../src/backends/longhorn/ui-auth.js';

// Cost 4 keeps the suite fast; the default (10) is checked once.
const FAST = 4;

describe('hashHtpasswd', () => {
  it('writes user:$2y$10$... like htpasswd -B, with cost 10 by default', () => {
    const line = hashHtpasswd('admin', 'correct horse');
    expect(HTPASSWD_BCRYPT_PREFIX).toBe('$2y$');
    expect(line).toMatch(/^admin:\$2y\$10\$[./A-Za-z0-9]{53}$/);
  });

  it('verifies with bcryptjs and with verifyHtpasswd, and fails with a wrong password', () => {
    const line = hashHtpasswd('admin', 's3cret-Pässword', FAST);
    const hash = line.slice('admin:'.length);
    expect(bcrypt.compareSync('s3cret-Pässword', hash)).toBe(true);
    expect(bcrypt.compareSync('s3cret-Password', hash)).toBe(false);
    expect(verifyHtpasswd(line, 's3cret-Pässword')).toBe(true);
    expect(verifyHtpasswd(line, 'wrong')).toBe(false);
  });

  it('salts: the same password hashes differently each time', () => {
    expect(hashHtpasswd('a', 'pw', FAST)).not.toBe(hashHtpasswd('a', 'pw', FAST));
  });

  it('agrees with the C library crypt() that nginx calls (known-answer vector)', () => {
    // crypt("admin", "$2y$04$abcdefghijklmnopqrstuu") from glibc 2.36 / libxcrypt (Debian 12).
    const libc = '$2y$04$abcdefghijklmnopqrstuuQe66hACgXZ.ImKMvPGdqru0gQrWJ8Ju';
    expect(verifyHtpasswd(`admin:${libc}`, 'admin')).toBe(true);
    expect(verifyHtpasswd(`admin:${libc}`, 'Admin')).toBe(false);
    // bcryptjs with the same salt computes the same digest; only the prefix differs.
    const ours = bcrypt.hashSync('admin', '$2b$04$abcdefghijklmnopqrstuu');
    expect(`${HTPASSWD_BCRYPT_PREFIX}${ours.slice(4)}`).toBe(libc);
  });

  it.each([
    ['', 'pw', /a user name is required/],
    ['ad:min', 'pw', /must not contain ':'/],
    ['ad min', 'pw', /must not contain ':' or white space/],
    ['admin', '', /a password is required/],
    ['admin', 'a\nb', /line break/],
    ['admin', 'x'.repeat(73), /longer than 72 bytes/],
  ])('refuses user %j password %j', (user, password, expected) => {
    expect(() => hashHtpasswd(user, password, FAST)).toThrow(UsageError);
    expect(() => hashHtpasswd(user, password, FAST)).toThrow(expected);
  });

  it('refuses a silly cost', () => {
    expect(() => hashHtpasswd('a', 'b', 3)).toThrow(/bcrypt cost: 3/);
  });
});

describe('verifyHtpasswd', () => {
  it.each([
    ['no colon', 'admin$2y$04$abc'],
    ['not bcrypt (apr1)', 'admin:$apr1$abc$def'],
    ['empty user', ':$2y$04$ZRq3JbNZZLeqWB2a13k7/uIHlB6hgA6I6mEGUlMHx4M06QQqTkH4u'],
  ])('refuses a line with %s', (_name, line) => {
    expect(verifyHtpasswd(line, 'admin')).toBe(false);
  });
});

describe('generatePassword', () => {
  it('gives 18 random bytes as base64url by default', () => {
    const a = generatePassword();
    expect(a).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(generatePassword()).not.toBe(a);
  });

  it('takes another length, but not a weak one', () => {
    expect(generatePassword(32)).toHaveLength(43);
    expect(() => generatePassword(8)).toThrow(UsageError);
  });
});

describe('buildUiAuthSecret', () => {
  it('is an Opaque v1 Secret whose key auth holds the htpasswd line', () => {
    const secret = buildUiAuthSecret({ name: 'longhorn-ui-auth', namespace: 'longhorn-system', user: 'admin', password: 'pw-123', cost: FAST });
    expect(secret).toMatchObject({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: 'longhorn-ui-auth', namespace: 'longhorn-system' },
    });
    expect(Object.keys(secret.stringData ?? {})).toEqual(['auth']);
    const line = secret.stringData!.auth!;
    expect(line).toMatch(/^admin:\$2y\$04\$/);
    expect(verifyHtpasswd(line, 'pw-123')).toBe(true);
    expect(verifyHtpasswd(line, 'pw-124')).toBe(false);
  });

  it('gathers every problem', () => {
    try {
      buildUiAuthSecret({ name: 'Bad_Name', namespace: '', user: 'a:b', password: '' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      expect((e as UsageError).problems).toHaveLength(4);
    }
  });
});

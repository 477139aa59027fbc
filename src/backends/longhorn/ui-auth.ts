/**
 * The login in front of the Longhorn UI: an htpasswd line in a Secret that the Ingress
 * controller checks (annotation nginx.ingress.kubernetes.io/auth-secret, key `auth`).
 *
 * Hash format: bcrypt written with the `$2y$` prefix, what `htpasswd -B` writes. bcryptjs writes
 * `$2b$`; for the passwords it can hash (at most 72 bytes) `$2a$`, `$2b$` and `$2y$` are the same
 * algorithm and differ only in the prefix. ingress-nginx checks the line with nginx's auth_basic,
 * which calls the C library's crypt(): its Alpine (musl) images accept $2a$/$2b$/$2x$/$2y$, and
 * glibc systems with libxcrypt accept $2b$ and $2y$ (nginx issue #1154 shows both working);
 * Traefik's basic auth (NGINX-annotation provider on newer MicroK8s) accepts all four prefixes.
 * `$2y$` is the prefix every one of them knows, and the one an operator recognises from htpasswd.
 */

import { randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import { UsageError } from '../../errors.js';
import { dnsLabelProblems, objectNameProblems as dnsSubdomainProblems } from '../../manifests/names.js';

export const HTPASSWD_BCRYPT_PREFIX = '$2y$';
export const DEFAULT_BCRYPT_COST = 10;
/** bcrypt reads at most 72 bytes of a password and silently ignores the rest. */
export const BCRYPT_MAX_PASSWORD_BYTES = 72;
/** The Secret key ingress-nginx (and Traefik's NGINX provider) read the htpasswd lines from. */
export const UI_AUTH_SECRET_KEY = 'auth';

export function htpasswdProblems(user: string, password: string): string[] {
  const problems: string[] = [];
  if (!user) problems.push('UI user: a user name is required');
  else if (/[:\s]/.test(user)) problems.push(`UI user: "${user}" must not contain ':' or white space (htpasswd separates user and hash with ':')`);
  if (!password) problems.push('UI password: a password is required');
  else if (/[\r\n]/.test(password)) problems.push('UI password: must not contain a line break');
  else if (Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_PASSWORD_BYTES) {
    problems.push(`UI password: longer than ${BCRYPT_MAX_PASSWORD_BYTES} bytes; bcrypt would ignore the rest, so any password sharing the first ${BCRYPT_MAX_PASSWORD_BYTES} bytes would work`);
  }
  return problems;
}

/** One htpasswd line `user:$2y$10$...`, as `htpasswd -nbB user password` prints it. */
export function hashHtpasswd(user: string, password: string, cost = DEFAULT_BCRYPT_COST): string {
  const problems = htpasswdProblems(user, password);
  if (!Number.isInteger(cost) || cost < 4 || cost > 31) problems.push(`bcrypt cost: ${cost} must be a whole number from 4 to 31`);
  if (problems.length > 0) throw new UsageError(problems);
  const hash = bcrypt.hashSync(password, bcrypt.genSaltSync(cost));
  return `${user}:${HTPASSWD_BCRYPT_PREFIX}${hash.slice(HTPASSWD_BCRYPT_PREFIX.length)}`;
}

/** Checks a password against an htpasswd line written by hashHtpasswd (or htpasswd -B). */
export function verifyHtpasswd(line: string, password: string): boolean {
  const colon = line.indexOf(':');
  if (colon <= 0) return false;
  const hash = line.slice(colon + 1).trim();
  if (!/^\$2[abxy]\$\d\d\$/.test(hash)) return false;
  // bcryptjs knows $2a$/$2b$/$2y$ but not $2x$ (the old buggy-8-bit variant); its ASCII results match.
  return bcrypt.compareSync(password, hash.replace(/^\$2x\$/, '$2a$'));
}

/** A random password of `bytes` random bytes, base64url (no characters that need quoting in a shell). */
export function generatePassword(bytes = 18): string {
  if (!Number.isInteger(bytes) || bytes < 12) throw new UsageError(`password length: ${bytes} random bytes is too few; use at least 12`);
  return randomBytes(bytes).toString('base64url');
}

export interface UiAuthSecretRequest {
  name: string;
  namespace: string;
  user: string;
  password: string;
  cost?: number;
}

/** The Secret the Ingress annotation auth-secret names: type Opaque, key `auth` = the htpasswd line. */
export function buildUiAuthSecret(req: UiAuthSecretRequest): ISecret & { metadata: { name: string; namespace: string } } {
  const problems = [
    ...dnsSubdomainProblems('UI auth secret name', req.name),
    ...dnsLabelProblems('UI auth secret namespace', req.namespace),
    ...htpasswdProblems(req.user, req.password),
  ];
  if (problems.length > 0) throw new UsageError(problems);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: req.name,
      namespace: req.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'k8s-storage', 'app.kubernetes.io/part-of': 'longhorn' },
    },
    type: 'Opaque',
    // stringData: the API server encodes it; the rendered YAML stays readable (it holds only a hash).
    stringData: { [UI_AUTH_SECRET_KEY]: hashHtpasswd(req.user, req.password, req.cost) },
  };
}

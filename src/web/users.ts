/**
 * Who may decide through the web page: a YAML list of `{name, roles, token_sha256}` (`--users FILE`
 * or BEADFLOW_UI_USERS). Only the SHA-256 of each token is stored; a request carries the token
 * itself in `Authorization: Bearer <token>`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { BeadflowError } from '../shared/errors';
import { sameRole } from '../shared/roles';

export interface UiUser {
  name: string;
  roles: string[];
}

export interface UserBook {
  /** How many users can sign decisions (0 = decisions are off). */
  size: number;
  /** The user whose token this is, or undefined. */
  byToken(token: string): UiUser | undefined;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Parses a users file's text; every error names the entry and what to fix. */
export function parseUsers(text: string, where: string): UserBook {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new BeadflowError(`${where}: not valid YAML (${(err as Error).message})`, { kind: 'usage', hint: USERS_HINT });
  }
  if (doc === null || doc === undefined) doc = [];
  if (!Array.isArray(doc)) throw new BeadflowError(`${where}: expected a YAML list of users`, { kind: 'usage', hint: USERS_HINT });
  const entries: Array<UiUser & { digest: Buffer }> = [];
  doc.forEach((raw: unknown, i: number) => {
    const at = `${where}: user ${i + 1}`;
    const u = (raw ?? {}) as Record<string, unknown>;
    if (typeof u.name !== 'string' || !u.name.trim()) throw usersError(`${at} has no name`);
    const roles = u.roles;
    if (!Array.isArray(roles) || roles.length === 0 || !roles.every((r) => typeof r === 'string' && r.trim())) {
      throw usersError(`${at} (${u.name}) needs roles: a non-empty list of role names, e.g. [Product Manager]`);
    }
    const digest = typeof u.token_sha256 === 'string' ? u.token_sha256.trim().toLowerCase() : '';
    if (!/^[0-9a-f]{64}$/.test(digest)) {
      throw usersError(`${at} (${u.name}) needs token_sha256: 64 hex digits, the SHA-256 of the user's token`);
    }
    if (entries.some((e) => e.digest.equals(Buffer.from(digest, 'hex')))) throw usersError(`${at} (${u.name}) reuses another user's token`);
    entries.push({ name: u.name.trim(), roles: roles.map((r: string) => r.trim()), digest: Buffer.from(digest, 'hex') });
  });
  return {
    size: entries.length,
    byToken(token) {
      if (!token) return undefined;
      const digest = createHash('sha256').update(token, 'utf8').digest();
      // Compare with every entry in constant time per entry: no early exit on a near match.
      let found: UiUser | undefined;
      for (const e of entries) if (timingSafeEqual(e.digest, digest)) found ??= { name: e.name, roles: e.roles };
      return found;
    },
  };
}

export function loadUsers(file: string | undefined): UserBook {
  if (!file) return parseUsers('[]', '(no users file)');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new BeadflowError(`cannot read the users file ${file}: ${(err as Error).message}`, { kind: 'usage', hint: USERS_HINT });
  }
  return parseUsers(text, file);
}

/**
 * The role a user decides as: the first of their roles the decision's approvers accept; else their
 * first role, which the bead's validator then refuses with its own reason (the CLI's rule).
 */
export function decidingRole(user: UiUser, accepted: string[]): string {
  return user.roles.find((r) => accepted.some((a) => sameRole(a, r) || a.trim().toLowerCase() === r.toLowerCase())) ?? user.roles[0];
}

const USERS_HINT =
  'the users file is a YAML list like `- {name: ada, roles: [Product Manager], token_sha256: <hex>}`; get the hex with `printf %s TOKEN | sha256sum`';

function usersError(message: string): BeadflowError {
  return new BeadflowError(message, { kind: 'usage', hint: USERS_HINT });
}

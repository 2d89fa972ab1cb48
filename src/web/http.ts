/** JSON errors, request guards (Origin, body size, bearer tokens) shared by the web API's routes. */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { UiUser, UserBook } from './users';

/** Decision bodies are a few hundred bytes; anything past this is refused before it is read. */
export const MAX_BODY_BYTES = 16 * 1024;

export interface ApiError {
  error: { message: string; hint?: string; [more: string]: unknown };
}

export function fail(c: Context, status: ContentfulStatusCode, message: string, hint?: string, more: Record<string, unknown> = {}) {
  return c.json({ error: { message, ...(hint ? { hint } : {}), ...more } } satisfies ApiError, status);
}

export const limitBody: MiddlewareHandler = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: (c) => fail(c, 413, `the request body is larger than ${MAX_BODY_BYTES} bytes`, 'send a decision: action, reason, node'),
});

/**
 * Cross-site requests cannot send decisions: the token travels in a header a form or an image
 * cannot set, and a POST whose Origin is another site's is refused. Browsers send Origin on
 * every POST; tools (curl) send none and are judged by their token alone.
 */
export const sameOrigin: MiddlewareHandler = async (c, next) => {
  if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
  const origin = c.req.header('origin');
  if (origin !== undefined) {
    const host = c.req.header('x-forwarded-host') ?? c.req.header('host') ?? '';
    let originHost = '';
    try {
      originHost = new URL(origin).host;
    } catch {
      // "null" or garbage: refused below
    }
    if (!originHost || originHost !== host) {
      return fail(c, 403, `cross-site request refused (Origin ${origin} is not this server, ${host})`, 'use the page this server serves');
    }
  }
  return next();
};

export function bearer(c: Context): string {
  const header = c.req.header('authorization') ?? '';
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : '';
}

/** The signed-in user, or a 401 answer that says how to sign in. */
export function authenticate(c: Context, users: UserBook): UiUser | Response {
  const token = bearer(c);
  if (users.size === 0) {
    return fail(
      c,
      401,
      'this server has no users, so nobody can sign in',
      'start it with `beadflow ui --users FILE` (or BEADFLOW_UI_USERS=FILE); docs/ui.md shows the file',
    );
  }
  if (!token) return fail(c, 401, 'sign in: send `Authorization: Bearer <token>`', 'paste your token into the page, or ask for one');
  const user = users.byToken(token);
  if (!user) return fail(c, 401, 'the token is not valid', "check it; the users file stores each token's SHA-256");
  return user;
}

/** Reads are open on loopback; bound anywhere else, they need a valid token too. */
export function guardReads(users: UserBook, readsNeedToken: boolean): MiddlewareHandler {
  return async (c, next) => {
    if (readsNeedToken && (c.req.method === 'GET' || c.req.method === 'HEAD')) {
      const user = authenticate(c, users);
      if (user instanceof Response) return user;
    }
    return next();
  };
}

import { timingSafeEqual } from 'node:crypto';

/** Who a bearer token authenticates as. @public */
export interface TokenUser {
  user: string;
  readOnly: boolean;
}

/** Looks up bearer tokens: an admin token (all verbs) and a read-only token (get, list, watch). */
export class TokenAuthenticator {
  constructor(private readonly tokens: Map<string, TokenUser>) {}

  /** The user of an `Authorization` header; undefined when absent or unknown. */
  authenticate(header: string | undefined): TokenUser | undefined {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!m) return undefined;
    const presented = Buffer.from(m[1]);
    for (const [token, user] of this.tokens) {
      const expected = Buffer.from(token);
      if (
        expected.length === presented.length &&
        timingSafeEqual(expected, presented)
      )
        return user;
    }
    return undefined;
  }
}

/** Verbs a read-only token may use. */
export const readVerbs = new Set(['get', 'list', 'watch']);

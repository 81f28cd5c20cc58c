import { randomBytes } from 'node:crypto';

/** What the user (automatically) consented to, carried from /authorize to the code and on to refresh tokens. */
export interface Grant {
  clientId: string;
  subject: string;
  scope: string;
  /** RFC 8707 resource indicators bound to this grant (the token audience). */
  resources: string[];
}

export interface PendingCode extends Grant {
  /** Where the code was sent. */
  redirectUri: string;
  /** Whether /authorize named it (else it was the single registered one): then the token request must repeat it. */
  redirectUriGiven: boolean;
  codeChallenge: string;
  expiresAt: number;
}

const CODE_TTL_MS = 60_000;

/** Authorization codes (single use, 60 s) and refresh tokens (rotated on every use). In memory. */
export class GrantStore {
  #codes = new Map<string, PendingCode>();
  #refreshTokens = new Map<string, Grant>();

  issueCode(pending: Omit<PendingCode, 'expiresAt'>): string {
    const code = randomBytes(24).toString('base64url');
    this.#codes.set(code, { ...pending, expiresAt: Date.now() + CODE_TTL_MS });
    return code;
  }

  /** Removes the code whatever happens next: a code is good for one attempt only. */
  takeCode(code: string): PendingCode | undefined {
    const pending = this.#codes.get(code);
    this.#codes.delete(code);
    if (!pending || pending.expiresAt < Date.now()) return undefined;
    return pending;
  }

  issueRefreshToken(grant: Grant): string {
    const token = randomBytes(32).toString('base64url');
    this.#refreshTokens.set(token, { ...grant, resources: [...grant.resources] });
    return token;
  }

  takeRefreshToken(token: string): Grant | undefined {
    const grant = this.#refreshTokens.get(token);
    this.#refreshTokens.delete(token);
    return grant;
  }
}

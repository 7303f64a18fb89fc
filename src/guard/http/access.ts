import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpRefusal } from './messages.js';

/** Bind addresses that only local processes (and, through DNS rebinding, web pages) can reach. */
export const LOOPBACK: ReadonlySet<string> = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Who may talk to the proxy: the `Host` it answers to (loopback binds only, against DNS
 * rebinding), the browser `Origin`s it serves (its own, plus `allowedOrigins`), and the
 * bearer token when one is set. The hosts and origins are known once the port is bound.
 */
export class ProxyAccess {
  private allowedHosts: Set<string> | undefined;
  private allowedOrigins = new Set<string>();

  constructor(private readonly host: string, private readonly authToken: string | undefined, private readonly extraOrigins: readonly string[] = []) {}

  /** Sets the hosts and origins of the bound address; returns the host as a URL shows it. */
  bind(address: { address: string; port: number }): string {
    const shown = address.address.includes(':') ? `[${address.address}]` : address.address;
    const own = LOOPBACK.has(this.host) ? ['127.0.0.1', 'localhost', '[::1]'] : [shown];
    if (LOOPBACK.has(this.host)) this.allowedHosts = new Set(own.map((h) => `${h}:${address.port}`));
    this.allowedOrigins = new Set([...own.map((h) => `http://${h}:${address.port}`), ...this.extraOrigins.map((o) => o.toLowerCase())]);
    return shown;
  }

  /**
   * Refuses a request from a host, origin or caller the proxy does not serve.
   *
   * @throws HttpRefusal 403 (Host, Origin) or 401 (no or a wrong bearer token)
   */
  check(req: IncomingMessage, res: ServerResponse): void {
    // DNS rebinding: a web page whose name resolves to 127.0.0.1 reaches a loopback proxy
    // same-origin, so only Host values that name the loopback address itself are served.
    if (this.allowedHosts && !this.allowedHosts.has((req.headers.host ?? '').toLowerCase())) throw new HttpRefusal(403, 'the Host header does not name this proxy\'s loopback address');
    const origin = req.headers.origin;
    if (origin !== undefined && !this.allowedOrigins.has(origin.toLowerCase())) throw new HttpRefusal(403, 'the Origin header names a page this proxy does not serve');
    if (this.authToken !== undefined && !bearerMatches(req.headers.authorization, this.authToken)) {
      res.setHeader('www-authenticate', 'Bearer');
      throw new HttpRefusal(401, 'a bearer token is required');
    }
  }
}

/** Compares the bearer token in constant time (over digests, so lengths do not leak either). */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '';
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(token));
}

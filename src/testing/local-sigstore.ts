import { writeFileAtomic } from '../io/files.js';
import { LocalFulcioCa, wholeSecond } from './fulcio-ca.js';
import { fulcioHandler } from './fulcio-handler.js';
import { startLoopbackServer, type LoopbackServer, type RouteHandler } from './http-server.js';
import { GITHUB_ACTIONS_ISSUER, LocalOidcIssuer, type IdentityClaims } from './oidc-issuer.js';
import { rekorHandler } from './rekor-handler.js';
import { LocalRekorLog } from './rekor-log.js';
import { buildTrustedRoot, type TrustedRootJson } from './trusted-root.js';
import { startLocalTsa } from './tsa.js';

/** Options for {@link startLocalSigstore}. */
export interface LocalSigstoreOptions {
  /**
   * The OIDC issuer whose tokens the local Fulcio accepts. Default: GitHub Actions'
   * (`https://token.actions.githubusercontent.com`), whose claims map to GitHub extensions.
   */
  issuer?: string;
  /** Server URL prefixed to GitHub names in SANs and extensions. Default `https://github.com`. */
  githubServerUrl?: string;
}

/** A running local Sigstore: Fulcio (with a CT log), Rekor and a TSA on loopback, plus their trusted root. */
export interface LocalSigstore {
  /** Base URL for sigstore-js `fulcioURL`. */
  readonly fulcioURL: string;
  /** Base URL for sigstore-js `rekorURL` (Rekor v1 API). */
  readonly rekorURL: string;
  /** Base URL for sigstore-js `tsaServerURL`. */
  readonly tsaURL: string;
  /** The OIDC issuer minted tokens carry (`iss`), and the certificates' issuer extension. */
  readonly issuer: string;
  /** The trusted_root.json object naming exactly these services. */
  readonly trustedRoot: TrustedRootJson;
  /** Writes {@link trustedRoot} as JSON to `path` (atomically). */
  writeTrustedRoot(path: string): Promise<void>;
  /** Mints an OIDC identity token from the local issuer, with `aud: 'sigstore'`. */
  mintIdentityToken(claims?: IdentityClaims): string;
  /** Stops all servers. */
  close(): Promise<void>;
}

/**
 * Starts a complete local Sigstore on 127.0.0.1 (each service on its own ephemeral port) so
 * sigstore-js's real signing pipeline and @sigstore/verify's strict defaults can run offline.
 */
export async function startLocalSigstore(options: LocalSigstoreOptions = {}): Promise<LocalSigstore> {
  const validFrom = wholeSecond(Date.now() - 60_000);
  const issuer = new LocalOidcIssuer(options.issuer ?? GITHUB_ACTIONS_ISSUER);
  const ca = await LocalFulcioCa.create();
  const tsa = await startLocalTsa();
  const servers: LoopbackServer[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  };
  try {
    const githubServerUrl = options.githubServerUrl ?? 'https://github.com';
    const fulcio = await track(servers, fulcioHandler({ ca, issuer, githubServerUrl }));
    let rekorRoute: RouteHandler = async () => undefined;
    const rekor = await track(servers, (req) => rekorRoute(req));
    const log = new LocalRekorLog(new URL(rekor.url).host);
    rekorRoute = rekorHandler(log);
    const tsaServer = await track(servers, tsa.handler);
    const trustedRoot = buildTrustedRoot({
      validFrom,
      rekor: { url: rekor.url, publicKeyDer: log.publicKeyDer, logId: log.logId },
      ctlog: { url: `${fulcio.url}/ct`, publicKeyDer: ca.ctLog.publicKeyDer, logId: ca.ctLog.logId },
      fulcio: { url: fulcio.url, certChainDer: [ca.rootDer] },
      tsa: { url: tsaServer.url, certChainDer: tsa.certChainDer },
    });
    return {
      fulcioURL: fulcio.url,
      rekorURL: rekor.url,
      tsaURL: tsaServer.url,
      issuer: issuer.issuer,
      trustedRoot,
      writeTrustedRoot: (path) => writeFileAtomic(path, `${JSON.stringify(trustedRoot, null, 2)}\n`),
      mintIdentityToken: (claims) => issuer.mint(claims),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

async function track(servers: LoopbackServer[], handler: RouteHandler): Promise<LoopbackServer> {
  const server = await startLoopbackServer(handler);
  servers.push(server);
  return server;
}

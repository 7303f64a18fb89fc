import { createPublicKey, verify } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { LocalFulcioCa } from './fulcio-ca.js';
import { genericIdentity, githubIdentity, type CertifiedIdentity } from './fulcio-claims.js';
import { jsonError, jsonResponse, type RouteHandler } from './http-server.js';
import type { LocalOidcIssuer } from './oidc-issuer.js';
import type { JwtClaims } from './jwt.js';

/** Fulcio's v2 endpoint that sigstore-js calls. */
export const FULCIO_SIGNING_CERT_PATH = '/api/v2/signingCert';

/** Where the local Fulcio gets its trust from. */
export interface FulcioHandlerOptions {
  ca: LocalFulcioCa;
  issuer: LocalOidcIssuer;
  /** Prefix of GitHub URLs in SANs and extensions (GitHub Enterprise differs). */
  githubServerUrl: string;
}

interface CertificateRequest {
  token: string;
  publicKeyPem: string;
  /** Proof of possession: the key's signature over the token subject; absent for CSRs (self-signed). */
  proof?: Buffer;
}

/**
 * The local Fulcio: verifies the OIDC token against the local issuer's key (a forged or
 * foreign token gets 401), checks proof of possession of the key, and issues a certificate
 * with the identity mapped from the claims as the public-good Fulcio does.
 */
export function fulcioHandler(options: FulcioHandlerOptions): RouteHandler {
  return async ({ method, url, body }) => {
    if (method !== 'POST' || url.pathname !== FULCIO_SIGNING_CERT_PATH) return undefined;
    let request: CertificateRequest;
    try {
      request = await parseRequest(body);
    } catch (err) {
      return jsonError(400, `malformed certificate request: ${(err as Error).message}`);
    }
    let claims: JwtClaims;
    try {
      claims = options.issuer.verify(request.token);
    } catch (err) {
      return jsonError(401, (err as Error).message);
    }
    let identity: CertifiedIdentity;
    try {
      checkProofOfPossession(request, claims);
      identity = options.issuer.isGitHubActions
        ? githubIdentity(claims, options.githubServerUrl)
        : genericIdentity(claims);
    } catch (err) {
      return jsonError(400, (err as Error).message);
    }
    const leaf = await options.ca.issue(request.publicKeyPem, identity);
    const chain = [toPem(leaf), toPem(options.ca.rootDer)];
    return jsonResponse(201, { signedCertificateEmbeddedSct: { chain: { certificates: chain } } });
  };
}

async function parseRequest(body: Buffer): Promise<CertificateRequest> {
  const json = JSON.parse(body.toString('utf8')) as Record<string, any>;
  const token: unknown = json['credentials']?.oidcIdentityToken;
  if (typeof token !== 'string') throw new Error('credentials.oidcIdentityToken is missing');
  const keyRequest = json['publicKeyRequest'];
  if (keyRequest !== undefined) {
    const pem: unknown = keyRequest.publicKey?.content;
    const proof: unknown = keyRequest.proofOfPossession;
    if (typeof pem !== 'string' || typeof proof !== 'string') {
      throw new Error('publicKeyRequest needs publicKey.content and proofOfPossession');
    }
    return { token, publicKeyPem: pem, proof: Buffer.from(proof, 'base64') };
  }
  const csrField: unknown = json['certificateSigningRequest'];
  if (typeof csrField !== 'string') throw new Error('neither publicKeyRequest nor certificateSigningRequest given');
  // Fulcio's v2 API carries the PEM CSR base64-encoded; its self-signature is the proof of possession.
  const csr = new x509.Pkcs10CertificateRequest(Buffer.from(csrField, 'base64').toString('utf8'));
  if (!(await csr.verify())) throw new Error('certificate signing request signature does not verify');
  return { token, publicKeyPem: csr.publicKey.toString('pem') };
}

/** sigstore-js signs the token's `email` (or else `sub`) with the key it wants certified. */
function checkProofOfPossession(request: CertificateRequest, claims: JwtClaims): void {
  if (request.proof === undefined) return;
  const subject = typeof claims['email'] === 'string' ? claims['email'] : claims['sub'];
  if (typeof subject !== 'string') throw new Error('identity token has no subject to prove possession against');
  const key = createPublicKey(request.publicKeyPem);
  if (!verify('sha256', Buffer.from(subject), key, request.proof)) {
    throw new Error('proof of possession does not verify: the signature over the token subject does not match the public key');
  }
}

/** DER → PEM certificate. */
export function toPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return ['-----BEGIN CERTIFICATE-----', ...lines, '-----END CERTIFICATE-----', ''].join('\n');
}

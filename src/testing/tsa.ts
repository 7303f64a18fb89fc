import { generateKeyPairSync } from 'node:crypto';
// Deep paths on purpose: @sigstore/mock's package root loads nock, which patches node:http globally.
import { initializeTSA, type TSA } from '@sigstore/mock/dist/timestamp/tsa.js';
import { tsaHandler as mockTsaHandler } from '@sigstore/mock/dist/timestamp/handler.js';
import { wholeSecond } from './fulcio-ca.js';
import type { RouteHandler } from './http-server.js';

const TIMESTAMP_PATH = '/api/v1/timestamp';

/** The local RFC 3161 timestamp authority and the certificates verifiers must trust. */
export interface LocalTsa {
  handler: RouteHandler;
  /** [signing (intermediate) certificate, root], DER, the order a trusted root lists them. */
  certChainDer: Buffer[];
}

/**
 * Starts @sigstore/mock's TSA with a whole-second clock. The mock encodes `genTime` with
 * whatever milliseconds the clock has and drops trailing zeros (".12Z"), which
 * @sigstore/core rejects; it reads a `clock` Date object on each request, so we move that
 * one Date to the current whole second before each (serialized) request.
 */
export async function startLocalTsa(): Promise<LocalTsa> {
  const clock = wholeSecond();
  const tsa: TSA = await initializeTSA(generateKeyPairSync('ec', { namedCurve: 'P-384' }), clock);
  const { fn } = mockTsaHandler(tsa);
  let queue: Promise<unknown> = Promise.resolve();
  const handler: RouteHandler = async ({ method, url, body }) => {
    if (method !== 'POST' || url.pathname !== TIMESTAMP_PATH) return undefined;
    const run = queue.then(async () => {
      clock.setTime(wholeSecond().getTime());
      return fn(body.toString('utf8'));
    });
    queue = run.catch(() => undefined);
    const { statusCode, response, contentType } = await run;
    const bytes = typeof response === 'string' ? response : Buffer.from(response.buffer, response.byteOffset, response.byteLength);
    return { status: statusCode, body: bytes, contentType: contentType ?? 'text/plain' };
  };
  const toBuffer = (v: ArrayBufferView): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return { handler, certChainDer: [toBuffer(tsa.intCertificate), toBuffer(tsa.rootCertificate)] };
}

import { X509Certificate } from '@sigstore/core';

/**
 * `X509Certificate.parse` of DER bytes, without stack traces for the errors it swallows.
 * `@sigstore/core`'s parser tries every OCTET STRING as nested DER and catches the
 * `ASN1ParseError` when it is not (a Fulcio leaf has several such values, the SCT list among
 * them); capturing a stack for each was half of the parse (about 0.1 ms per certificate).
 * The limit is restored before anything else runs: the parse is synchronous. An error the
 * parse does throw keeps its message and type, only without a stack.
 *
 * @throws whatever the parser throws for bytes that are no certificate
 */
export function parseCertificate(der: Buffer<ArrayBuffer>): X509Certificate {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return X509Certificate.parse(der);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

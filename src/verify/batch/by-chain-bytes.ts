import type { CertAuthority } from './sigstore-parts.js';

/**
 * Caches keyed by a CA's exact bytes: the base64 DER of every certificate in its chain, in
 * order. Each CA object's key is worked out once (its certificates are parsed trust material,
 * never changed), then its entry is found, or built once.
 */
export class ByChainBytes<T> {
  private readonly entries = new Map<string, T>();
  private readonly keys = new WeakMap<CertAuthority, string>();

  constructor(private readonly build: (ca: CertAuthority) => T) {}

  of(ca: CertAuthority): T {
    let key = this.keys.get(ca);
    if (key === undefined) this.keys.set(ca, (key = ca.certChain.map((c) => c.root.toDER().toString('base64')).join('.')));
    let entry = this.entries.get(key);
    if (entry === undefined) this.entries.set(key, (entry = this.build(ca)));
    return entry;
  }
}

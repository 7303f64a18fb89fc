// Node 20 lacks fs.globSync, which @modelcontextprotocol/conformance imports (for its
// tier-check command only). Preloaded with --import on Node < 22, this resolves that one
// package's `fs` to node:fs plus a globSync that says what it needs. Tests only.
import { register } from 'node:module';

register('./loader.mjs', import.meta.url);

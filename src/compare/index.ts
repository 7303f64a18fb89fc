/** Comparing two manifests and reporting the difference (see `compareManifests`). */
export { compareManifests, entryPath, type CompareOptions } from './compare.js';
export { diffValues, classify, jsonEqual } from './diff-values.js';
export { scanHiddenUnicode, hasHiddenUnicode, hiddenCategory, type HiddenUnicodeScanOptions } from './hidden-unicode.js';
export { pairRenames, type RenamePair } from './rename.js';
export { renderDiff, type RenderOptions } from './render.js';
export { checkServer } from './check-server.js';
export { capabilitiesWithin, lacksSigningCapabilities } from './profile.js';
export { renderDiffMarkdown, type MarkdownRenderOptions } from './render-markdown.js';
export { diffFindings, unicodeReason, type DiffFinding, type DiffFindingsOptions, type FindingScope } from './findings.js';
export { diffAnnotations, type DiffAnnotation, type AnnotationSide } from './annotations.js';
export * from './schema.js';

/**
 * Freezes a JSON value and everything in it, so no later write (ours or a caller's) can change
 * it: a write to a frozen object throws in strict-mode code (all of toolseal's modules are).
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

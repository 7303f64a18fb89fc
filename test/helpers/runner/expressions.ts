/** The contexts a `${{ }}` expression may read, as the runner names them. */
export type Contexts = Record<string, unknown>;

/**
 * Evaluates the `${{ … }}` expressions of one workflow value. Only what toolseal's docs use is
 * supported — a context path such as `steps.toolseal.outputs.bundle-path`, `github.token`,
 * `matrix.server.dir` — and anything else (operators, functions) fails the test, so a snippet
 * never passes because the harness guessed. A path that is not set gives `''`, as on the runner.
 */
export function evaluate(text: string, contexts: Contexts): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => {
    if (!/^[a-z_]+(?:\.[\w-]+)*$/i.test(expr)) throw new Error(`runner harness: unsupported expression \${{ ${expr} }}`);
    let value: unknown = contexts;
    for (const part of expr.split('.')) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
    if (value === undefined || value === null) return '';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
}

/** Evaluates every value of a `with:` or `env:` map; YAML scalars (true, 5) become the strings the runner passes. */
export function evaluateMap(map: Record<string, unknown> | undefined, contexts: Contexts): Record<string, string> {
  return Object.fromEntries(Object.entries(map ?? {}).map(([k, v]) => [k, evaluate(String(v), contexts)]));
}

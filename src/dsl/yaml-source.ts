/**
 * YAML text → document with positions. Every later finding is located through `locate`, which
 * maps a raw path (["nodes", 1, "max_attempts"]) back to a line and column of the source.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Pair } from 'yaml';
import type { Finding, Locator, Position } from './finding';

export interface YamlSource {
  doc: Document.Parsed;
  /** Position of the value at a path (for a collection under a key: the key), else of the nearest existing ancestor. */
  locate: Locator;
  /** Position of the key that holds the value at a path. */
  locateKey: Locator;
}

const DOC_START: Position = { line: 1, col: 1 };
const MAX_SYNTAX_ERRORS = 5;

const SYNTAX_HINTS: Record<string, string> = {
  BAD_INDENT: 'check the indentation: siblings line up, and lists under a key are indented consistently',
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  DUPLICATE_KEY: 'each key may appear once per mapping: remove or rename one of them',
  MISSING_CHAR: 'a bracket or quote is not closed',
  MULTIPLE_DOCS: 'keep one definition per file (remove the `---` separator)',
  BLOCK_AS_IMPLICIT_KEY: 'a key must fit on one line; quote values that contain ": "',
};
const DEFAULT_SYNTAX_HINT = 'fix the YAML at this position; quote values that contain ": ", " #" or start with a special character';

export function parseYaml(text: string, file: string): { source: YamlSource; findings: Finding[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number): Position => lineCounter.linePos(offset);
  const findings: Finding[] = [];
  // One slip often cascades into an error per following line; the first few say it all.
  const errors = doc.errors.slice(0, MAX_SYNTAX_ERRORS);
  for (const [severity, list] of [
    ['error', errors],
    ['warning', doc.warnings],
  ] as const) {
    for (const e of list) {
      findings.push({
        file,
        ...at(e.pos[0]),
        severity,
        code: severity === 'error' ? 'yaml-syntax' : 'yaml-warning',
        message: `YAML: ${e.code === 'MULTIPLE_DOCS' ? 'the file holds more than one document' : e.message}`,
        hint: SYNTAX_HINTS[e.code] ?? DEFAULT_SYNTAX_HINT,
      });
    }
  }
  const more = doc.errors.length - errors.length;
  if (more > 0) findings[errors.length - 1].message += ` (${more} more YAML error${more === 1 ? '' : 's'} after this one)`;

  /** Follows a path as far as the document goes; remembers the pair that held the last step. */
  const walk = (path: ReadonlyArray<string | number>) => {
    let node: unknown = doc.contents;
    let pair: Pair | undefined;
    let depth = 0;
    for (const step of path) {
      let next: unknown;
      let nextPair: Pair | undefined;
      if (isMap(node)) {
        nextPair = node.items.find((p) => isPair(p) && keyText(p.key) === String(step));
        next = nextPair?.value;
      } else if (isSeq(node) && typeof step === 'number') {
        next = node.items[step];
      }
      if (next === undefined && nextPair === undefined) break;
      node = next;
      pair = nextPair;
      depth++;
    }
    return { node, pair, complete: depth === path.length };
  };
  const start = (n: unknown): number | undefined =>
    n && typeof n === 'object' && 'range' in n && Array.isArray(n.range) ? (n.range[0] as number) : undefined;

  const locate: Locator = (path) => {
    const { node, pair } = walk(path);
    const isCollection = isMap(node) || isSeq(node);
    const offset = (isCollection && pair ? start(pair.key) : undefined) ?? start(node) ?? start(pair?.key);
    return offset === undefined ? DOC_START : at(offset);
  };
  const locateKey: Locator = (path) => {
    const { pair, complete } = walk(path);
    const offset = complete ? start(pair?.key) : undefined;
    return offset === undefined ? locate(path) : at(offset);
  };
  return { source: { doc, locate, locateKey }, findings };
}

export function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}

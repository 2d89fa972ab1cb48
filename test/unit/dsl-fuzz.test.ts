/**
 * Fuzz: random mutations of real definitions (Loom's and ours) through the loader. Whatever the
 * damage, the loader never throws or hangs, and gives either a definition or located errors.
 * Seeded, so a failure reproduces: the message names the seed and case.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadDefinitionText, validateResolved } from '../../src/dsl';
import { DEFAULT_IDS, DEFAULTS_DIR, LOOM_FILES } from './dsl-fixtures';

const SEED = Number(process.env.FUZZ_SEED ?? 20240601);
const CASES = Number(process.env.FUZZ_CASES ?? 3000);
const BUDGET_MS = 20_000;

/** mulberry32: tiny, seedable, good enough to pick mutations. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCALARS = [
  '',
  '""',
  '"three"',
  '-1',
  '0',
  '2.5',
  '1e999',
  'null',
  '~',
  '[',
  ']',
  '{',
  '}',
  '[a, b]',
  '{a: 1}',
  '&x',
  '*x',
  '&x [1]',
  '!!binary AA==',
  '!custom x',
  '"unterminated',
  "'",
  '|',
  '>',
  '- x',
  'true',
  'no',
  '0x1F',
  '5 minutes',
  '1h30m',
  'escalated',
  'parallel',
  'merge',
  '"" ',
  'a: b: c',
  '#',
  '%YAML 1.2',
  '---',
  '...',
  '\t',
  '\u0000',
  '\uFEFF',
  '🙂',
  'x'.repeat(300),
];
const JUNK = [
  ':',
  '-',
  '#',
  '"',
  "'",
  '{',
  '}',
  '[',
  ']',
  '&',
  '*',
  '!',
  '|',
  '>',
  '%',
  '@',
  '`',
  ',',
  '?',
  '\t',
  '\n',
  '\r',
  ' ',
  '\u0000',
  '\uFEFF',
  '\\',
  'é',
];

type Mutation = (text: string, rnd: () => number) => string;
const pick = <T>(list: readonly T[], rnd: () => number): T => list[Math.floor(rnd() * list.length)];
const lines = (text: string) => text.split('\n');
const at = (n: number, rnd: () => number) => Math.floor(rnd() * n);

const MUTATIONS: Record<string, Mutation> = {
  deleteLine: (t, r) => {
    const l = lines(t);
    l.splice(at(l.length, r), 1);
    return l.join('\n');
  },
  duplicateLine: (t, r) => {
    const l = lines(t);
    const i = at(l.length, r);
    l.splice(i, 0, l[i]);
    return l.join('\n');
  },
  swapLines: (t, r) => {
    const l = lines(t);
    const [i, j] = [at(l.length, r), at(l.length, r)];
    [l[i], l[j]] = [l[j], l[i]];
    return l.join('\n');
  },
  changeScalar: (t, r) => {
    const l = lines(t);
    const candidates = l.map((s, i) => (/:\s*\S/.test(s) ? i : -1)).filter((i) => i >= 0);
    if (!candidates.length) return t;
    const i = pick(candidates, r);
    l[i] = l[i].replace(/:(\s*).*$/, (_m, space: string) => `:${space || ' '}${pick(SCALARS, r)}`);
    return l.join('\n');
  },
  swapWords: (t, r) => {
    const words = t.match(/[A-Za-z_]{3,}/g) ?? [];
    if (words.length < 2) return t;
    return t.replace(pick(words, r), pick(words, r));
  },
  insertJunk: (t, r) => {
    const i = at(t.length + 1, r);
    const junk = Array.from({ length: 1 + at(5, r) }, () => pick(JUNK, r)).join('');
    return t.slice(0, i) + junk + t.slice(i);
  },
  indent: (t, r) => {
    const l = lines(t);
    const i = at(l.length, r);
    l[i] = r() < 0.5 ? `  ${l[i]}` : l[i].replace(/^ {1,2}/, '');
    return l.join('\n');
  },
  truncate: (t, r) => t.slice(0, at(t.length, r)),
};

test('fuzz: mutated definitions never crash the loader', (t) => {
  const corpus = [...LOOM_FILES, ...DEFAULT_IDS.map((id) => path.join(DEFAULTS_DIR, `${id}.yaml`))].map((f) => readFileSync(f, 'utf8'));
  const rnd = prng(SEED);
  const names = Object.keys(MUTATIONS);
  const counts = { cases: 0, mutations: 0, ok: 0, rejected: 0, slowestMs: 0 };
  const started = Date.now();

  while (counts.cases < CASES && Date.now() - started < BUDGET_MS) {
    const id = `seed ${SEED} case ${counts.cases}`;
    let text = pick(corpus, rnd);
    const applied: string[] = [];
    for (let n = 1 + at(3, rnd); n > 0; n--) {
      const name = pick(names, rnd);
      text = MUTATIONS[name](text, rnd);
      applied.push(name);
    }
    counts.cases++;
    counts.mutations += applied.length;

    const before = Date.now();
    let result: ReturnType<typeof loadDefinitionText>;
    try {
      result = loadDefinitionText(text, 'fuzz.yaml');
    } catch (err) {
      assert.fail(`${id} (${applied.join(', ')}) threw: ${(err as Error).stack}\n--- input ---\n${text}`);
    }
    counts.slowestMs = Math.max(counts.slowestMs, Date.now() - before);

    const errors = result.findings.filter((f) => f.severity === 'error');
    const context = () => `${id} (${applied.join(', ')}): ${JSON.stringify(result.findings.slice(0, 3))}\n--- input ---\n${text}`;
    assert.ok(
      result.findings.every((f) => f.line >= 1 && f.col >= 1 && f.message && f.hint),
      `unlocated finding: ${context()}`,
    );
    if (result.definition) {
      counts.ok++;
      assert.equal(errors.length, 0, context());
      assert.deepEqual(
        validateResolved(result.definition).filter((f) => f.severity === 'error'),
        [],
        context(),
      );
      assert.deepEqual(JSON.parse(JSON.stringify(result.definition)), result.definition, `not plain JSON: ${context()}`);
    } else {
      counts.rejected++;
      assert.ok(errors.length >= 1, `no definition and no error: ${context()}`);
    }
  }

  const summary = `fuzz: ${counts.cases} cases, ${counts.mutations} mutations, ${counts.ok} ok, ${counts.rejected} rejected, slowest ${counts.slowestMs} ms (seed ${SEED})`;
  console.log(summary);
  t.diagnostic(summary);
  assert.ok(counts.cases >= Math.min(CASES, 500), `only ${counts.cases} cases ran within ${BUDGET_MS} ms`);
  assert.ok(counts.ok > 0 && counts.rejected > 0, 'the mutations should both keep and break definitions');
  assert.ok(counts.slowestMs < 2_000, `one case took ${counts.slowestMs} ms`);
});

/** `beadflow validate` and `beadflow graph` as a user runs them: exit codes and output format. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { A_TO_END, definition, DEFAULTS_DIR, edge, LOOM_DIR, LOOM_FILES, ROOT, task } from './dsl-fixtures';

function beadflow(...args: string[]) {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'bin/beadflow.js'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const FINDING_LINE = /^(.+):(\d+):(\d+): (error|warning): (.+)$/;

describe('beadflow validate', () => {
  let dir: string;
  let broken: string;
  let warned: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'beadflow-cli-'));
    broken = path.join(dir, 'broken.yaml');
    warned = path.join(dir, 'warned.yaml');
    writeFileSync(broken, definition(task('a', '    max_attempts: "three"\n'), A_TO_END));
    writeFileSync(warned, definition(task('a', '    colour: red\n'), A_TO_END));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the default definitions: exit 0, even with --strict', () => {
    const run = beadflow('validate', '--strict', DEFAULTS_DIR);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.stdout, '5 files checked: 0 errors, 0 warnings\n');
  });

  test("Loom's files: warnings printed, exit 0; --strict makes them fail", () => {
    const run = beadflow('validate', LOOM_DIR);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    const findings = lines.filter((l) => FINDING_LINE.test(l));
    assert.equal(findings.length, 3);
    assert.ok(findings.every((l) => l.includes(': warning: ')));
    assert.equal(lines.filter((l) => l.startsWith('  hint: ')).length, 3);
    assert.equal(lines.at(-1), '4 files checked: 0 errors, 3 warnings');
    assert.equal(beadflow('validate', '--strict', ...LOOM_FILES).code, 1);
  });

  test('an error: exit 1, `<file>:<line>:<col>: error: <message>` then an indented hint', () => {
    const run = beadflow('validate', broken);
    assert.equal(run.code, 1);
    const [first, hint] = run.stdout.split('\n');
    assert.equal(first, `${broken}:6:19: error: node "a": \`max_attempts\` must be a number, not the string "three"`);
    assert.match(hint, /^ {2}hint: write a whole number/);
  });

  test('a warning only: exit 0; --strict: exit 1', () => {
    assert.equal(beadflow('validate', warned).code, 0);
    const strict = beadflow('validate', '--strict', warned);
    assert.equal(strict.code, 1);
    assert.match(
      strict.stdout,
      new RegExp(`^${warned.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:6:5: warning: node "a": unknown key \`colour\` is ignored$`, 'm'),
    );
  });

  test('several paths and a directory; a missing file is an error finding', () => {
    const run = beadflow('validate', dir, path.join(dir, 'missing.yaml'));
    assert.equal(run.code, 1);
    assert.match(run.stdout, /missing\.yaml: error: no such file/);
    assert.match(run.stdout, /3 files checked: 2 errors, 1 warning\n$/);
  });

  test('--json: one object with counts, files and findings', () => {
    const run = beadflow('validate', '--json', broken, LOOM_FILES[2]);
    assert.equal(run.code, 1);
    const report = JSON.parse(run.stdout);
    assert.equal(report.ok, false);
    assert.equal(report.errors, 1);
    assert.equal(report.warnings, 1);
    assert.deepEqual(
      report.files.map((f: { id?: string }) => f.id),
      [undefined, 'wf-ui-default'],
    );
    assert.deepEqual(Object.keys(report.findings[0]).sort(), ['code', 'col', 'file', 'hint', 'line', 'message', 'severity']);
  });

  test('sub-workflows: children are found among the files given or the default catalog; a missing one and a cycle are errors', () => {
    const subDir = mkdtempSync(path.join(os.tmpdir(), 'beadflow-cli-sub-'));
    // Located at the child's id in the parent's file (line 3: the node).
    try {
      const sub = (id: string, child: string) =>
        `id: ${id}\nnodes:\n  - { node_key: sub, node_type: subworkflow, subworkflow: { definition: ${child} } }\nedges:\n` +
        edge('', 'sub') +
        edge('sub', '') +
        edge('sub', '', 'failure');
      writeFileSync(path.join(subDir, 'on-bug.yaml'), sub('on-bug', 'bug'));
      writeFileSync(path.join(subDir, 'steps.yml'), 'name: steps\nsteps:\n  - { id: s, type: sub-workflow, workflow: on-bug }\n');
      const ok = beadflow('validate', subDir);
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      writeFileSync(path.join(subDir, 'gone.yaml'), sub('gone', 'nowhere'));
      writeFileSync(path.join(subDir, 'x.yaml'), sub('x', 'y'));
      writeFileSync(path.join(subDir, 'y.yaml'), sub('y', 'x'));
      const bad = beadflow('validate', subDir);
      assert.equal(bad.code, 1);
      assert.match(bad.stdout, /gone\.yaml:3:\d+: error: gone, node "sub": no definition with id "nowhere"/);
      assert.match(bad.stdout, /y\.yaml:3:\d+: error: x → y, node "sub": definition "x" includes itself/);
      assert.match(bad.stdout, /5 files checked: 3 errors, /);
    } finally {
      rmSync(subDir, { recursive: true, force: true });
    }
  });
});

describe('beadflow graph', () => {
  test('mermaid by default, dot on request, by file or by id', () => {
    const mermaid = beadflow('graph', LOOM_FILES[0]);
    assert.equal(mermaid.code, 0, mermaid.stderr);
    assert.match(mermaid.stdout, /^flowchart TD\n/);
    assert.match(mermaid.stdout, /pm_review<br\/>approval · Product Manager/);
    const dot = beadflow('graph', 'bug', '--format', 'dot');
    assert.equal(dot.code, 0, dot.stderr);
    assert.match(dot.stdout, /^digraph "bug" \{/);
  });

  test('warnings go to stderr, the graph alone to stdout', () => {
    const run = beadflow('graph', LOOM_FILES[2]);
    assert.equal(run.code, 0);
    assert.match(run.stderr, /warning: commit node "commit_and_push"/);
    assert.match(run.stdout, /^flowchart TD/);
  });

  test('a definition with errors: exit 1 and no graph', () => {
    const run = beadflow('graph', path.join(ROOT, 'package.json'));
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /error: cannot draw/);
  });

  test('an unknown format is refused', () => {
    const run = beadflow('graph', LOOM_FILES[0], '--format', 'svg');
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /mermaid, dot/);
  });
});

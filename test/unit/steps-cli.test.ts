/** `beadflow validate`, `beadflow graph` and `bead start --definition` take step-format files. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { prepareBead } from '../../src/client/prepare';
import { ROOT } from './dsl-fixtures';

const PEERS = path.resolve(__dirname, '../../../shared/peers/multi-agent-machine-client');

function beadflow(...args: string[]) {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'bin/beadflow.js'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('step-format files through the CLI', () => {
  test('validate: the peer directory has no errors (warnings only), exit 0', () => {
    const run = beadflow('validate', PEERS);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /3 files checked: 0 errors, \d+ warnings\n$/);
    assert.doesNotMatch(run.stdout, /: error: /);
  });

  test('graph: the governance fork and its join are drawn', () => {
    const run = beadflow('graph', path.join(PEERS, 'feature.yml'));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^flowchart TD/);
    assert.match(run.stdout, /governance-reviews<br\/>parallel/);
    assert.match(run.stdout, /governance-reviews-done<br\/>merge<br\/>joins governance-reviews \(all\)/);
  });

  test('bead start --definition <file.yml> prepares a bead with the converted definition', () => {
    const prepared = prepareBead({ title: 'urgent fix', definition: path.join(PEERS, 'hotfix.yml') }, {});
    assert.equal(prepared.input.definition.id, 'hotfix');
    assert.equal(prepared.input.bead.type, 'hotfix');
    assert.match(prepared.selectedBy, /hotfix\.yml$/);
    assert.deepEqual(
      prepared.input.definition.nodes.map((n) => n.key),
      ['assessment', 'implementation', 'validation', 'security-check', 'deployment'],
    );
  });
});

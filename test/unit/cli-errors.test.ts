/** The CLI's error contract: usage errors exit 2 with a hint, `--json` errors are JSON, one exit-code table; and the pure pieces behind status and decisions. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { refusalOf } from '../../src/client/beads';
import { agentRoles } from '../../src/client/run-input';
import { effectiveStatus } from '../../src/client/status';
import { describeError } from '../../src/cli/action';
import { BeadflowError, ERROR_TYPES, EXIT_CODES } from '../../src/shared/errors';
import { bugLike } from '../fixtures/definitions';

const ROOT = path.resolve(__dirname, '../..');

function beadflow(...args: string[]) {
  // Nothing listens on port 1: a command that got past its checks would fail with "cannot reach".
  const run = spawnSync(process.execPath, [path.join(ROOT, 'bin/beadflow.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1', BEADFLOW_LEDGER: 'off' },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('CLI usage errors', () => {
  test('empty or missing arguments exit 2 with a hint, before anything connects', () => {
    for (const [args, message] of [
      [['status', ''], /^error: the bead id is empty\nhint: pass a bead id/],
      [['approve', 'b-1', '--by', ' '], /^error: --by is empty\nhint: say who decides/],
      [['reject', 'b-1', '--by', 'PM', '--reason', ''], /^error: --reason is empty\nhint: say what must change/],
      [['cancel', 'b-1', '--by', 'me', '--reason', ' '], /^error: --reason is empty\nhint: say why/],
      [
        ['override', 'b-1', '--by', 'CEO', '--action', 'nope'],
        /^error: unknown action "nope"\nhint: use one of retry, goto, continue, abort/,
      ],
      [['approve', 'b-1'], /^error: required option '--by <who>' not specified\nhint: see `npx beadflow --help`/],
      [['status'], /^error: missing required argument 'bead'\nhint: /],
      [['frobnicate'], /^error: unknown command 'frobnicate'\nhint: /],
      [['bead', 'start', '--title', 'x', '--definition', ''], /^error: --definition is empty\nhint: /],
      [
        ['bead', 'start', '--title', 'x', '--type', 'nope'],
        /^error: no definition for type "nope"\nhint: pass --definition FILE\|ID \(known: /,
      ],
      [['bead', 'start', '--title', 'x', '--priority', 'high'], /^error: unknown priority "high"\nhint: use one of P0, P1, P2, P3, P4/],
    ] as const) {
      const r = beadflow(...args);
      assert.equal(r.code, EXIT_CODES.usage, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.stdout, '');
    }
  });

  test('with --json an error is one JSON object on stdout, usage errors included', () => {
    const usage = beadflow('bead', 'start', '--title', 'x', '--id', '', '--json');
    assert.equal(usage.code, 2);
    assert.deepEqual(JSON.parse(usage.stdout), {
      error: {
        message: '--id is empty',
        hint: 'leave --id out for a generated id, or pass one such as bug-42',
        kind: 'usage',
        exitCode: 2,
      },
    });
    const parse = beadflow('approve', 'b-1', '--json');
    assert.equal(parse.code, 2);
    assert.equal(JSON.parse(parse.stdout).error.kind, 'usage');
    const unreachable = beadflow('status', 'b-1', '--json');
    assert.equal(unreachable.code, 1);
    assert.match(JSON.parse(unreachable.stdout).error.message, /^cannot reach the Temporal server at 127\.0\.0\.1:1/);
    assert.equal(unreachable.stderr, '');
  });

  test('help is not an error', () => {
    const r = beadflow('status', '--help');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Usage: beadflow status/);
  });
});

describe('error vocabulary', () => {
  test('a kind maps to its exit code; unknown errors are "unexpected" and exit 1', () => {
    assert.equal(new BeadflowError('x', { kind: 'usage' }).exitCode, 2);
    assert.equal(new BeadflowError('x', { kind: 'timeout' }).exitCode, 3);
    assert.equal(new BeadflowError('x').exitCode, 1);
    assert.deepEqual(describeError(new Error('boom')), {
      message: 'boom',
      hint: 'this is unexpected; rerun with BEADFLOW_DEBUG=1 for details and report it',
      kind: 'unexpected',
      exitCode: 1,
    });
  });

  test('a refused Update yields the reason and the hint; other update failures are not refusals', () => {
    const cause = ApplicationFailure.create({
      type: ERROR_TYPES.decisionRefused,
      message: 'decision refused: Mallory may not decide "review"; see who may decide with: npx beadflow status b-1',
      details: [{ why: 'Mallory may not decide "review"' }],
    });
    assert.deepEqual(refusalOf(new WorkflowUpdateFailedError('Workflow Update failed', cause)), {
      why: 'Mallory may not decide "review"',
      hint: 'see who may decide with: npx beadflow status b-1',
    });
    assert.equal(
      refusalOf(
        new WorkflowUpdateFailedError(
          'Workflow Update failed',
          ApplicationFailure.create({ message: 'No registered handler for update: approve' }),
        ),
      ),
      undefined,
    );
    assert.equal(refusalOf(new Error('decision refused: x')), undefined);
  });
});

describe('status pieces', () => {
  test("Temporal's word wins over a bead status the workflow never got to change", () => {
    assert.equal(effectiveStatus('running', 'TERMINATED'), 'terminated');
    assert.equal(effectiveStatus('waiting_approval', 'TIMED_OUT'), 'timed_out');
    assert.equal(effectiveStatus('escalated', 'FAILED'), 'failed');
    assert.equal(effectiveStatus('running', 'CANCELLED'), 'cancelled');
    assert.equal(effectiveStatus('completed', 'COMPLETED'), 'completed');
    assert.equal(effectiveStatus('cancelled', 'CANCELLED'), 'cancelled');
    assert.equal(effectiveStatus('running', 'RUNNING'), 'running');
    assert.equal(effectiveStatus(undefined, 'FAILED'), 'failed');
  });

  test('the roles a bead needs workers for: agent turns, not human-only approvals', () => {
    const def = bugLike({
      investigate: { role: 'Backend Engineer' },
      pm: { role: 'Product Manager', approval: { approvers: ['Product Manager'], mode: 'human' } },
    });
    assert.deepEqual(agentRoles(def), ['Backend Engineer', 'QA Engineer', 'Engineering Manager']);
    const agentReview = bugLike({ pm: { role: 'Product Manager', approval: { approvers: [], mode: 'any' } } });
    assert.ok(agentRoles(agentReview).includes('Product Manager'));
  });
});

/** Follow-ups in agents' answers: checked entry by entry, capped, never a reason to refuse the answer. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadPersonas } from '../../src/activities/agents/personas';
import { buildPrompt } from '../../src/activities/agents/prompt';
import { ScriptedAgent } from '../../src/activities/agents/scripted';
import { answersIn } from '../../src/client/loop-follow-ups';
import { parseAnswer } from '../../src/shared/answer';
import { MAX_FOLLOW_UPS, parseFollowUps } from '../../src/shared/follow-ups';
import { isScenarioOutcome, parseScenario } from '../../src/shared/scenario';
import { fakeTurn, turnInput } from '../helpers/agents';

describe('parseFollowUps', () => {
  test('title, type and priority (P0..P4 or 0..4, default P2); whitespace folded', () => {
    const r = parseFollowUps([
      { title: '  Fix  the flaky test ', type: 'bug', priority: 'p1' },
      { title: 'Polish the page', type: 'ui', priority: 0, description: 'why' },
      { title: 'Someday' },
    ]);
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.followUps, [
      { title: 'Fix the flaky test', type: 'bug', priority: 'P1' },
      { title: 'Polish the page', type: 'ui', priority: 'P0', description: 'why' },
      { title: 'Someday', priority: 'P2' },
    ]);
  });

  test('bad entries are left out with a warning naming the entry and the problem', () => {
    const r = parseFollowUps([
      'text',
      { type: 'bug' },
      { title: 'x', priority: 'P9' },
      { title: 'y', type: 'no spaces allowed' },
      { title: 'ok' },
    ]);
    assert.deepEqual(
      r.followUps.map((f) => f.title),
      ['ok'],
    );
    assert.equal(r.warnings.length, 4);
    assert.match(r.warnings[0], /^follow_ups\[0\]: not an object \(got string\); left out$/);
    assert.match(r.warnings[1], /^follow_ups\[1\]: no "title"/);
    assert.match(r.warnings[2], /^follow_ups\[2\]: "priority" must be P0\.\.P4 or 0\.\.4, not "P9"/);
    assert.match(r.warnings[3], /^follow_ups\[3\]: "type" must be a word/);
  });

  test('not a list: one warning, no follow-ups', () => {
    const r = parseFollowUps({ title: 'x' });
    assert.deepEqual(r.followUps, []);
    assert.match(r.warnings[0], /^follow_ups: not a list \(got object\)/);
  });

  test(`at most ${MAX_FOLLOW_UPS} per answer; a repeated title counts once`, () => {
    const many = Array.from({ length: MAX_FOLLOW_UPS + 5 }, (_, i) => ({ title: `t${i}` }));
    const r = parseFollowUps([{ title: 'T0' }, ...many]);
    assert.equal(r.followUps.length, MAX_FOLLOW_UPS);
    assert.match(r.warnings.join('\n'), /follow_ups\[1\]: same title as an earlier follow-up/);
    assert.match(r.warnings.join('\n'), new RegExp(`more than ${MAX_FOLLOW_UPS} in one answer`));
    assert.equal(r.warnings.filter((w) => w.includes('more than')).length, 1);
  });

  test('an over-long title is refused, a huge list does not crash', () => {
    const r = parseFollowUps([{ title: 'x'.repeat(501) }, ...Array.from({ length: 10_000 }, () => 7)]);
    assert.equal(r.followUps.length, 0);
    assert.match(r.warnings[0], /over 500 characters/);
  });
});

describe('answers carry follow-ups', () => {
  test('a command answer with follow-ups; bad ones are a note in the summary, not a refusal', () => {
    const line = JSON.stringify({
      outcome: 'success',
      summary: 'done',
      follow_ups: [{ title: 'Add tests', type: 'feature' }, { nope: 1 }],
    });
    const parsed = parseAnswer(line);
    assert.equal(parsed.ok, true);
    if (!parsed.ok) return;
    assert.deepEqual(parsed.answer.followUps, [{ title: 'Add tests', type: 'feature', priority: 'P2' }]);
    assert.match(parsed.answer.summary, /^done\n\[follow_ups: 1 left out: follow_ups\[1\]: no "title"/);
    assert.equal(parsed.answer.followUpWarnings?.length, 1);
  });

  test('an answer without follow_ups is as before', () => {
    const parsed = parseAnswer('{"outcome":"failure","summary":"no"}');
    assert.deepEqual(parsed, { ok: true, answer: { outcome: 'failure', summary: 'no' } });
  });

  test('scripted outcomes take a JSON answer tail; a broken tail is refused when the scenario loads', async () => {
    assert.equal(isScenarioOutcome('success {"follow_ups":[{"title":"x"}]}'), true);
    assert.equal(isScenarioOutcome('success {broken'), false);
    assert.equal(isScenarioOutcome('sleep:1s {"follow_ups":[]}'), false);
    assert.throws(
      () => parseScenario('build: ["success {broken"]', 's.yaml'),
      /s\.yaml: node "build": unknown outcome .*followed by a JSON object/,
    );
    const agent = new ScriptedAgent({ build: ['success {"follow_ups":[{"title":"Tidy up","type":"chore","priority":"P1"}]}'] });
    const r = await agent.runTurn(turnInput({ node: { key: 'build' } }), fakeTurn().ctx);
    assert.equal(r.outcome, 'success');
    assert.deepEqual(r.followUps, [{ title: 'Tidy up', type: 'chore', priority: 'P1' }]);
  });
});

test('command agents are told about follow_ups; model agents (whose turn ends in the workflow) are not', () => {
  const personas = loadPersonas();
  assert.match(buildPrompt(turnInput(), personas, { followUps: true }).text, /"follow_ups": \[\{"title"/);
  assert.doesNotMatch(buildPrompt(turnInput(), personas).text, /follow_ups/);
});

describe("the loop reads follow-ups from the bead's history", () => {
  const payload = (v: unknown) => ({ data: Buffer.from(JSON.stringify(v)) });
  const decode = (p: { data?: Uint8Array | null }) => JSON.parse(Buffer.from(p.data!).toString()) as unknown;

  test('only agentTurn results count; each is checked again', () => {
    const events = [
      { eventId: 5, activityTaskScheduledEventAttributes: { activityType: { name: 'agentTurn' } } },
      { eventId: 6, activityTaskScheduledEventAttributes: { activityType: { name: 'recordBeadProgress' } } },
      {
        eventId: 7,
        activityTaskCompletedEventAttributes: {
          scheduledEventId: 5,
          result: { payloads: [payload({ followUps: [{ title: 'a' }, { bad: 1 }] })] },
        },
      },
      {
        eventId: 8,
        activityTaskCompletedEventAttributes: {
          scheduledEventId: 6,
          result: { payloads: [payload({ followUps: [{ title: 'not a turn' }] })] },
        },
      },
      { eventId: 9, activityTaskCompletedEventAttributes: { scheduledEventId: 5, result: { payloads: [{ data: Buffer.from('{oops') }] } } },
    ];
    const got = answersIn(events as never, decode as never);
    assert.equal(got.length, 1);
    assert.deepEqual(got[0].followUps, [{ title: 'a', priority: 'P2' }]);
    assert.match(got[0].warnings[0], /follow_ups\[1\]: no "title"/);
  });
});

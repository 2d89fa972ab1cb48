/** A turn's prompt: persona (by hint or role, any spelling) + instructions + bead + history + feedback + context + format. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parseAnswer } from '../../src/shared/answer';
import { DEFAULT_PERSONAS_DIR, loadPersonas, personaFor } from '../../src/activities/agents/personas';
import { buildPrompt } from '../../src/activities/agents/prompt';
import { KNOWN_ROLES, roleSlug } from '../../src/shared/roles';
import { script, tempDir, turnInput } from '../helpers/agents';

const personas = loadPersonas();

describe('personas', () => {
  test('the project ships one persona per default role', () => {
    assert.equal(DEFAULT_PERSONAS_DIR, path.resolve(__dirname, '../../personas'));
    for (const role of KNOWN_ROLES) assert.ok(personas.get(roleSlug(role)), `personas/${roleSlug(role)}.md`);
  });

  test('persona_hint wins, in any spelling; else the role, in any spelling; else a generic line', () => {
    assert.equal(personaFor({ role: 'Software Engineer', personaHint: 'default/qa-engineer' }, personas).slug, 'qa-engineer');
    assert.equal(personaFor({ role: 'QA' }, personas).slug, 'qa-engineer');
    assert.equal(personaFor({ role: 'qa_engineer', personaHint: 'default/nobody' }, personas).slug, 'qa-engineer');
    const generic = personaFor({ role: 'Data Scientist' }, personas);
    assert.equal(generic.slug, '');
    assert.match(generic.text, /You are the Data Scientist/);
  });

  test('--personas DIR overrides the defaults', () => {
    const dir = tempDir();
    try {
      script(dir.dir, 'qa-engineer.md', 'You are a very strict tester.');
      const own = loadPersonas(dir.dir);
      assert.equal(personaFor({ role: 'QA' }, own).text, '#!/bin/sh\nYou are a very strict tester.');
      assert.throws(() => loadPersonas(path.join(dir.dir, 'missing')), /does not exist/);
    } finally {
      dir.remove();
    }
  });
});

describe('buildPrompt', () => {
  const input = turnInput({
    node: { key: 'apply_fix', type: 'task', role: 'engineer', personaHint: 'QA', instructions: 'Make the approved change.' },
    feedback: 'the fix must also handle 0%',
    historySummary: ['#1 turn investigate success by QA Engineer: root cause in discount.js'],
    context: ['needs the failing test output'],
    worktree: '/tmp/wt-1',
  });
  const prompt = buildPrompt(input, personas);

  test('system = the persona chosen by alias', () => {
    assert.equal(prompt.persona, 'qa-engineer');
    assert.equal(prompt.system, personas.get('qa-engineer'));
    assert.ok(prompt.text.startsWith(prompt.system));
  });

  test('user = instructions, bead, history, feedback, redispatch context, worktree, answer format', () => {
    for (const part of [
      'Make the approved change.',
      'Title: Discount is wrong',
      'Priority: P1',
      'applyDiscount(100, 10) returns 10',
      'root cause in discount.js',
      'Feedback from the last rejection',
      'the fix must also handle 0%',
      '1. needs the failing test output',
      '/tmp/wt-1',
      '"outcome"',
    ]) {
      assert.ok(prompt.user.includes(part), `prompt should contain ${JSON.stringify(part)}`);
    }
  });

  test('sections without content are left out', () => {
    const bare = buildPrompt(turnInput(), personas);
    assert.doesNotMatch(bare.user, /Feedback|Earlier dispatches|What happened|Workspace/);
    assert.equal(bare.persona, 'qa-engineer');
  });
});

describe('parseAnswer', () => {
  test('valid answers, fenced answers and redispatch', () => {
    assert.deepEqual(parseAnswer('{"outcome":"approved","summary":"ok"}'), { ok: true, answer: { outcome: 'approved', summary: 'ok' } });
    assert.deepEqual(parseAnswer('```json\n{"outcome":"failure"}\n```'), { ok: true, answer: { outcome: 'failure', summary: '' } });
    assert.deepEqual(parseAnswer('{"outcome":"success","summary":"s","redispatch":true}'), {
      ok: true,
      answer: { outcome: 'redispatch', summary: 's' },
    });
  });

  test('reasons name what is wrong', () => {
    const notJson = parseAnswer('I think it works');
    assert.ok(!notJson.ok && /not JSON/.test(notJson.reason));
    const badOutcome = parseAnswer('{"outcome":"maybe"}');
    assert.ok(!badOutcome.ok && /outcome/.test(badOutcome.reason));
    const array = parseAnswer('[1]');
    assert.ok(!array.ok && /not a JSON object/.test(array.reason));
  });
});

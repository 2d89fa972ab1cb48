import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uniqueId, waitFor } from '../helpers/temporal';

test('uniqueId: prefixed and never repeats', () => {
  const ids = new Set(Array.from({ length: 1000 }, () => uniqueId('bead')));
  assert.equal(ids.size, 1000);
  for (const id of ids) assert.match(id, /^bead-[0-9a-z]+-[0-9a-z]+-\d+-[0-9a-f]{6}$/);
});

test('waitFor returns the first truthy value, retrying through falsy values and errors', async () => {
  let calls = 0;
  const value = await waitFor(
    () => {
      calls += 1;
      if (calls === 1) throw new Error('not yet');
      return calls >= 3 ? { calls } : undefined;
    },
    { intervalMs: 1 },
  );
  assert.deepEqual(value, { calls: 3 });
});

test('waitFor fails on its deadline, saying what it waited for and what it last saw', async () => {
  await assert.rejects(
    waitFor(() => ({ status: 'running' }).status === 'done', { timeoutMs: 50, intervalMs: 5, what: 'bead b-1 to complete' }),
    /timed out after 50ms .* waiting for bead b-1 to complete; last value: false/,
  );
  await assert.rejects(
    waitFor(
      () => {
        throw new Error('connection refused');
      },
      { timeoutMs: 30, intervalMs: 5 },
    ),
    /waiting for a condition; last error: connection refused/,
  );
});

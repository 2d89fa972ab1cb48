/** Conflict hunks: both sides named by bead/target whichever side git checked out, the size limits, and the prompt. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { boundHunks, fileHunks, hasConflictMarkers, type ConflictHunk } from '../../src/activities/git/conflict-hunks';
import { conflictInstructions } from '../../src/activities/git/conflict-prompt';

const CONFLICTED = [
  'line 4',
  '<<<<<<< HEAD',
  'line 5 is red',
  '=======',
  'line 5 is blue',
  '>>>>>>> 1234abcd',
  'line 6',
  '<<<<<<< HEAD',
  'a',
  '||||||| base',
  'o',
  '=======',
  'b',
  'b2',
  '>>>>>>> 1234abcd',
  '',
].join('\n');

describe('conflict hunks', () => {
  test('ours is the target in the commit squash, the bead in the resolution merge', () => {
    const squash = fileHunks('f.txt', CONFLICTED, 'target');
    assert.deepEqual(squash, [
      { file: 'f.txt', line: 2, bead: 'line 5 is blue', target: 'line 5 is red' },
      { file: 'f.txt', line: 8, bead: 'b\nb2', target: 'a' },
    ]);
    const merge = fileHunks('f.txt', CONFLICTED, 'bead');
    assert.deepEqual(
      merge.map((h) => [h.bead, h.target]),
      [
        ['line 5 is red', 'line 5 is blue'],
        ['a', 'b\nb2'],
      ],
      'the diff3 base is left out',
    );
  });

  test('an unterminated hunk is ignored; a lone ======= is not a marker', () => {
    assert.deepEqual(fileHunks('f', '<<<<<<< HEAD\nx\n=======\ny\n', 'bead'), []);
    assert.equal(hasConflictMarkers('Title\n=======\ntext\n'), false);
    assert.equal(hasConflictMarkers('x\n<<<<<<< HEAD\n'), true);
    assert.equal(hasConflictMarkers('x\n>>>>>>> theirs\n'), true);
    assert.equal(hasConflictMarkers('x\n>>>>>>>>> not git\n<<<<<<<<\n'), false);
    assert.equal(hasConflictMarkers(''), false);
  });

  test('a side longer than the limit is cut and says how much is missing', () => {
    const long = 'x'.repeat(50);
    const [h] = fileHunks('f', `<<<<<<< HEAD\n${long}\n=======\nshort\n>>>>>>> t\n`, 'bead', 10);
    assert.equal(h.bead, `${'x'.repeat(10)}\n… (40 more characters)`);
    assert.equal(h.target, 'short');
    assert.equal(h.truncated, true);
  });

  test('boundHunks keeps at most `hunks` hunks and `totalChars` characters, counting what it leaves out', () => {
    const hunk = (i: number): ConflictHunk => ({ file: `f${i}`, line: 1, bead: 'b'.repeat(10), target: 't'.repeat(10) });
    const many = Array.from({ length: 5 }, (_, i) => hunk(i));
    assert.deepEqual(
      boundHunks(many, { sideChars: 100, hunks: 3, totalChars: 1_000 }).hunks.map((h) => h.file),
      ['f0', 'f1', 'f2'],
    );
    assert.equal(boundHunks(many, { sideChars: 100, hunks: 3, totalChars: 1_000 }).omitted, 2);
    const bySize = boundHunks(many, { sideChars: 100, hunks: 10, totalChars: 45 });
    assert.deepEqual([bySize.hunks.length, bySize.omitted], [2, 3]);
    assert.deepEqual(boundHunks([]), { hunks: [], omitted: 0 });
  });
});

describe('the resolution prompt', () => {
  test('names the files, the bead, both sides of each hunk, what was left out, and the rule about markers', () => {
    const text = conflictInstructions({
      beadId: 'bead-7',
      title: 'paint line 5 blue',
      targetBranch: 'main',
      targetSha: 'abcdef0123456789',
      files: ['shared.txt', 'other.txt'],
      hunks: [{ file: 'shared.txt', line: 5, bead: 'line 5 is blue', target: 'line 5 is red' }],
      omitted: 3,
      round: 1,
      maxRounds: 2,
    });
    for (const needle of [
      'resolution 1 of at most 2',
      'Bead bead-7 ("paint line 5 blue")',
      'main at abcdef0123',
      '- shared.txt\n- other.txt',
      '## shared.txt, line 5',
      "The bead's side:\n~~~~\nline 5 is blue\n~~~~",
      "main's side:\n~~~~\nline 5 is red\n~~~~",
      'remove every conflict marker line',
      '(3 more hunk(s) not shown: read the files.)',
    ])
      assert.ok(text.includes(needle), `missing ${JSON.stringify(needle)} in\n${text}`);
  });
});

#!/usr/bin/env node
// A command agent for the self-healing example. beadflow runs it in the bead's worktree with the
// prompt on stdin and BEAD_ID, NODE_KEY, ROLE, ATTEMPT in its environment; its last stdout line
// is its answer. It "investigates" by reading the code and "fixes" by editing one line; a real
// agent would call a model here. Its first fix is naive (it subtracts the percentage as if it
// were an amount): the repository's tests catch that, the verify node rejects with their output,
// and the second apply_fix turn reads that feedback in its prompt and makes the real fix.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';

const FILE = path.join('src', 'discount.js');
const BUGGY = 'return roundCents(price * (percent / 100));';
const NAIVE = 'return roundCents(price - percent);';
const FIXED = 'return roundCents(price * (1 - percent / 100));';

const answer = (outcome, summary) => process.stdout.write(`${JSON.stringify({ outcome, summary })}\n`);

async function readPrompt() {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

const prompt = await readPrompt();
const node = process.env.NODE_KEY;
process.stdout.write(
  `fix-agent: ${node} for bead ${process.env.BEAD_ID} as ${process.env.ROLE} (attempt ${process.env.ATTEMPT}, prompt ${prompt.length} chars)\n`,
);

if (!existsSync(FILE)) {
  answer('failure', `${FILE} is not in ${process.cwd()}: is this the sample repository?`);
} else if (node === 'investigate') {
  const code = readFileSync(FILE, 'utf8');
  answer(
    'success',
    code.includes(BUGGY)
      ? `Root cause: applyDiscount in ${FILE} returns the discount itself (price * percent/100) instead of the price after it. Fix: price * (1 - percent/100). Check: node --test.`
      : `${FILE} does not contain the known bug; nothing to propose.`,
  );
} else if (node === 'apply_fix') {
  const code = readFileSync(FILE, 'utf8');
  const feedback = prompt.includes('Feedback from the last rejection');
  if (code.includes(FIXED)) {
    answer('success', `${FILE} already has the fix.`);
  } else if (!feedback && code.includes(BUGGY)) {
    writeFileSync(FILE, code.replace(BUGGY, NAIVE));
    answer('success', `Changed ${FILE}: applyDiscount now takes the percentage off the price.`);
  } else if (code.includes(BUGGY) || code.includes(NAIVE)) {
    writeFileSync(FILE, code.replace(BUGGY, FIXED).replace(NAIVE, FIXED));
    answer('success', `The tests showed the percentage was subtracted as an amount; ${FILE} now returns price * (1 - percent/100).`);
  } else {
    answer('failure', `${FILE} has neither the known bug nor a fix I recognise; not touching it.`);
  }
} else {
  answer('success', `fix-agent has nothing to do for node ${node}.`);
}

/**
 * Writes definitions/schema.json from the zod model (`npm run schema`).
 * `--check` only compares and exits 1 when the committed file is stale (for CI).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderJsonSchema, SCHEMA_FILE } from '../src/dsl/json-schema';

const fresh = renderJsonSchema();
const shown = path.relative(process.cwd(), SCHEMA_FILE);
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(SCHEMA_FILE, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== fresh) {
    process.stderr.write(`error: ${shown} is out of date with src/dsl/schema.ts\nhint: run \`npm run schema\` and commit the result\n`);
    process.exit(1);
  }
  process.stdout.write(`${shown} is up to date\n`);
} else {
  writeFileSync(SCHEMA_FILE, fresh);
  process.stdout.write(`wrote ${shown}\n`);
}

#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so a fresh `npm ci` is all a user needs.
require('tsx/cjs');
require('../src/cli/main.ts')
  .main(process.argv)
  .catch((err) => {
    process.stderr.write(`error: ${err && err.message ? err.message : err}\n`);
    process.exitCode = 1;
  });

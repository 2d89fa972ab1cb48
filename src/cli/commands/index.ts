import type { Command } from 'commander';
import { register as validate } from './validate';
import { register as graph } from './graph';
import { register as server } from './server';

/** Each command file exports `register(program)`; the order here is the order in --help. */
export const commands: Array<(program: Command) => void> = [
  validate,
  graph,
  server,
];

import type { Command } from 'commander';

/** Each command file exports `register(program)`; the order here is the order in --help. */
export const commands: Array<(program: Command) => void> = [];

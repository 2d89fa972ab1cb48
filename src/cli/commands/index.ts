import type { Command } from 'commander';
import { register as validate } from './validate';
import { register as graph } from './graph';
import { register as server } from './server';
import { register as bead } from './bead';
import { register as status } from './status';
import { register as approve } from './approve';
import { register as reject } from './reject';
import { register as override } from './override';
import { register as cancel } from './cancel';
import { register as lock } from './lock';
import { register as list } from './list';
import { register as history } from './history';
import { register as executions } from './executions';
import { register as workflows } from './workflows';
import { register as analytics } from './analytics';
import { register as loop } from './loop';
import { register as ledger } from './ledger';
import { register as gc } from './gc';
import { register as ui } from './ui';

/** Each command file exports `register(program)`; the order here is the order in --help. */
export const commands: Array<(program: Command) => void> = [
  validate,
  graph,
  server,
  bead,
  status,
  approve,
  reject,
  override,
  cancel,
  lock,
  list,
  history,
  executions,
  workflows,
  analytics,
  loop,
  ledger,
  gc,
  ui,
];

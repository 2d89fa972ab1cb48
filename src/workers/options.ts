/**
 * The worker's command line and environment → one checked configuration. Pure (no connection),
 * so every default and every refusal is unit-tested. Defaults are documented in docs/workers.md.
 */
import { Command, Option } from 'commander';
import { BeadflowError } from '../shared/errors';
import { parseDuration } from '../dsl/duration';
import { KNOWN_ROLES, ROLE_QUEUE_PREFIX, WORKFLOW_TASK_QUEUE, canonicalRole, roleSlug } from '../shared/roles';

export const WORKER_DEFAULTS = {
  concurrency: 10,
  shutdownGraceMs: 30_000,
} as const;

/**
 * The sticky cache holds the beads *running* at once: about the turns this worker runs at once
 * (roles × concurrency), ×4 for beads between turns or queued for one; at least 100. Parked beads
 * (waiting for a person) fall out and replay their short history when the decision arrives: each
 * cached workflow costs ~0.3 MB of live heap (~0.8 MB of RSS with the heap's slack).
 */
export function defaultWorkflowCache(roles: number, concurrency: number): number {
  return Math.max(100, 4 * roles * concurrency);
}

export interface WorkerConfig {
  /** Canonical role names ("QA Engineer"). */
  roles: string[];
  agent?: string;
  /** llm agents: `<provider>:<model>` for roles without BEADFLOW_MODEL_<ROLE>. */
  model?: string;
  agentCommand?: string;
  agentArgs?: string[];
  /** A real coding CLI run by the command provider (claude, codex, aider, opencode). */
  agentPreset?: string;
  scenario?: string;
  personas?: string;
  workflows: boolean;
  /** Write beads to the ledger (false: --no-ledger or BEADFLOW_LEDGER=off). */
  ledger: boolean;
  taskQueue: string;
  roleQueuePrefix: string;
  concurrency: number;
  workflowCache: number;
  shutdownGraceMs: number;
  /** Serve Prometheus metrics on this port (--metrics-port / BEADFLOW_METRICS_PORT); none: off. */
  metricsPort?: number;
  /** --log-level / BEADFLOW_LOG_LEVEL (trace, debug, info, warn, error, silent). */
  logLevel?: string;
}

/**
 * Any spelling of known roles → canonical names. A role beadflow does not know is served as
 * written (a definition may name any role), with a warning in case it is a typo.
 */
export function parseRoles(
  list: string | undefined,
  warn: (message: string) => void = (m) => process.stderr.write(`warning: ${m}\n`),
): string[] {
  if (!list || !list.trim()) return [...KNOWN_ROLES];
  const roles = list
    .split(',')
    .map((r) => r.trim())
    .filter((r) => roleSlug(r) !== '');
  const unknown = [...new Set(roles.filter((r) => !canonicalRole(r)))];
  if (unknown.length) {
    warn(
      `serving role(s) beadflow does not know: ${unknown.join(', ')}; known roles: ${KNOWN_ROLES.join(', ')} (aliases like "QA" or "qa-engineer" work too)`,
    );
  }
  // One queue per slug: "Data Scientist" and "data-scientist" are one role, named as first written.
  const bySlug = new Map<string, string>();
  for (const r of roles) if (!bySlug.has(roleSlug(r))) bySlug.set(roleSlug(r), canonicalRole(r) ?? r);
  return [...bySlug.values()];
}

export function parseWorkerArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const program = new Command('beadflow-worker')
    .description('Runs beadflow workflows and the agent turns of the roles it serves.')
    .exitOverride()
    // Errors are rethrown as CliErrors (message + hint) and printed once, by report().
    .configureOutput({ writeErr: () => undefined })
    .option('--roles <list>', 'comma-separated roles to serve (default: all) [BEADFLOW_ROLES]')
    .addOption(
      new Option('--agent <provider>', 'agent provider [BEADFLOW_AGENT, default scripted]').choices([
        'scripted',
        'command',
        'llm',
        'openai',
      ]),
    )
    .option(
      '--model <provider:model>',
      'llm agents: e.g. openai:gpt-4.1, anthropic:claude-sonnet-4-5, openai-compatible:qwen2.5-coder [BEADFLOW_MODEL]',
    )
    .option('--agent-command <path>', 'command agents: the executable [BEADFLOW_AGENT_COMMAND]')
    .option(
      '--agent-arg <arg>',
      'command agents: one fixed argument (repeatable) [BEADFLOW_AGENT_ARGS as a JSON array]',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option(
      '--agent-preset <name>',
      'run a coding CLI as the agent: claude, codex, aider or opencode (implies --agent command) [BEADFLOW_AGENT_PRESET]',
    )
    .option('--scenario <file>', 'scripted agents: default scenario [BEADFLOW_SCENARIO]')
    .option('--personas <dir>', 'directory of <role-slug>.md system prompts [BEADFLOW_PERSONAS, default personas/]')
    .option('--no-workflows', 'do not serve the workflow queue (agent turns only)')
    .option('--no-ledger', 'do not write beads to the PostgreSQL ledger [BEADFLOW_LEDGER=off]')
    .option('--task-queue <name>', `workflow task queue [BEADFLOW_TASK_QUEUE, default ${WORKFLOW_TASK_QUEUE}]`)
    .option('--role-queue-prefix <prefix>', `prefix of role task queues [BEADFLOW_ROLE_QUEUE_PREFIX, default ${ROLE_QUEUE_PREFIX}]`)
    .option('--concurrency <n>', `agent turns run at once per role [BEADFLOW_CONCURRENCY, default ${WORKER_DEFAULTS.concurrency}]`)
    .option('--cache <n>', 'workflows kept in the sticky cache [BEADFLOW_WORKFLOW_CACHE, default 4 × roles × concurrency, at least 100]')
    .option('--shutdown-grace <duration>', 'on SIGINT/SIGTERM, how long running turns may finish [BEADFLOW_SHUTDOWN_GRACE, default 30s]')
    .option('--metrics-port <port>', 'serve Prometheus metrics on /metrics at this port [BEADFLOW_METRICS_PORT, default off]')
    .option('--log-level <level>', 'trace, debug, info, warn, error or silent [BEADFLOW_LOG_LEVEL, default info]');
  try {
    program.parse(argv);
  } catch (err) {
    const e = err as { code?: string; message?: string; exitCode?: number };
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') throw err;
    throw new BeadflowError(String(e.message ?? err).replace(/^error: /, ''), { hint: 'see npm run worker -- --help', kind: 'usage' });
  }
  const o = program.opts<Record<string, string | string[] | boolean | undefined>>();
  const str = (flag: unknown, key: string): string | undefined => (typeof flag === 'string' && flag ? flag : env[key] || undefined);
  const roles = parseRoles(str(o.roles, 'BEADFLOW_ROLES'));
  const concurrency = count(
    str(o.concurrency, 'BEADFLOW_CONCURRENCY'),
    '--concurrency / BEADFLOW_CONCURRENCY',
    WORKER_DEFAULTS.concurrency,
  );
  return {
    roles,
    agent: str(o.agent, 'BEADFLOW_AGENT'),
    model: str(o.model, 'BEADFLOW_MODEL'),
    agentCommand: str(o.agentCommand, 'BEADFLOW_AGENT_COMMAND'),
    agentArgs: Array.isArray(o.agentArg) ? o.agentArg : undefined,
    agentPreset: str(o.agentPreset, 'BEADFLOW_AGENT_PRESET'),
    scenario: str(o.scenario, 'BEADFLOW_SCENARIO'),
    personas: str(o.personas, 'BEADFLOW_PERSONAS'),
    workflows: o.workflows !== false,
    ledger: o.ledger !== false && !/^(off|false|0|no|none)$/i.test(env.BEADFLOW_LEDGER ?? ''),
    taskQueue: str(o.taskQueue, 'BEADFLOW_TASK_QUEUE') ?? WORKFLOW_TASK_QUEUE,
    roleQueuePrefix: str(o.roleQueuePrefix, 'BEADFLOW_ROLE_QUEUE_PREFIX') ?? ROLE_QUEUE_PREFIX,
    concurrency,
    workflowCache: count(
      str(o.cache, 'BEADFLOW_WORKFLOW_CACHE'),
      '--cache / BEADFLOW_WORKFLOW_CACHE',
      defaultWorkflowCache(roles.length, concurrency),
      0,
    ),
    shutdownGraceMs: grace(str(o.shutdownGrace, 'BEADFLOW_SHUTDOWN_GRACE')),
    ...metricsPort(str(o.metricsPort, 'BEADFLOW_METRICS_PORT')),
    logLevel: str(o.logLevel, 'BEADFLOW_LOG_LEVEL'),
  };
}

function count(text: string | undefined, where: string, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min) {
    throw new BeadflowError(`${where} must be a whole number of at least ${min}, not "${text}"`, {
      hint: `the default is ${fallback}`,
      kind: 'usage',
    });
  }
  return n;
}

function metricsPort(text: string | undefined): { metricsPort?: number } {
  if (text === undefined) return {};
  return { metricsPort: count(text, '--metrics-port / BEADFLOW_METRICS_PORT', 9464, 0) };
}

function grace(text: string | undefined): number {
  if (text === undefined) return WORKER_DEFAULTS.shutdownGraceMs;
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new BeadflowError(`--shutdown-grace / BEADFLOW_SHUTDOWN_GRACE: "${text}" is not a duration`, {
      hint: 'write it like 30s, 2m or 0',
      kind: 'usage',
    });
  return ms;
}

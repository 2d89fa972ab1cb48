/** Worker configuration: roles, flags and environment, the provider factory and per-role routing. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CommandAgent } from '../../src/activities/agents/command';
import { LlmAgent } from '../../src/activities/agents/llm';
import { RoleRoutedProvider } from '../../src/activities/agents/routed';
import { ScriptedAgent } from '../../src/activities/agents/scripted';
import { BeadflowError } from '../../src/shared/errors';
import { parseRoles } from '../../src/workers/main';
import { WORKER_DEFAULTS, defaultWorkflowCache, parseWorkerArgs } from '../../src/workers/options';
import { createProvider, roleEnvSuffix } from '../../src/workers/providers';
import { fakeTurn, script, tempDir, turnInput } from '../helpers/agents';

const argv = (...args: string[]) => ['node', 'worker', ...args];
const cliError = (pattern: RegExp) => (err: unknown) => err instanceof BeadflowError && err.exitCode === 2 && pattern.test(err.message);

let tmp: ReturnType<typeof tempDir>;
let agentPath: string;
before(() => {
  tmp = tempDir();
  agentPath = script(tmp.dir, 'agent.sh', 'echo \'{"outcome":"success","summary":"from the command agent"}\'');
});
after(() => tmp.remove());

describe('parseRoles', () => {
  test('every spelling of a role is one role', () => {
    assert.deepEqual(parseRoles('QA, qa-engineer,QA Engineer,default/qa-engineer'), ['QA Engineer']);
    assert.deepEqual(parseRoles('QA Engineer,PM'), ['QA Engineer', 'Product Manager']);
  });

  test('no roles = every known role', () => {
    assert.equal(parseRoles(undefined).length, 8);
    assert.equal(parseRoles('  ').length, 8);
  });

  test('an unknown role is served as written, with a warning naming the known roles; Loom-style names resolve', () => {
    const warnings: string[] = [];
    assert.deepEqual(
      parseRoles('QA,Data Scientist', (m) => warnings.push(m)),
      ['QA Engineer', 'Data Scientist'],
    );
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /does not know: Data Scientist; known roles: CEO/);
    assert.deepEqual(
      parseRoles('Backend Engineer, frontend-engineer, quality-assurance, default/qa-engineer/', () => assert.fail('no warning')),
      ['Software Engineer', 'QA Engineer'],
    );
    const dup: string[] = [];
    assert.deepEqual(
      parseRoles('QA,Data Scientist, data-scientist,Backend Engineer', (w) => dup.push(w)),
      ['QA Engineer', 'Data Scientist', 'Software Engineer'],
      'one role per queue: spellings of the same slug are served once',
    );
    assert.equal(dup.length, 1);
    assert.match(dup[0], /does not know: Data Scientist, data-scientist; known roles: CEO, Product Manager/);
  });
});

describe('parseWorkerArgs', () => {
  test('documented defaults', () => {
    const c = parseWorkerArgs(argv(), {});
    assert.equal(c.concurrency, WORKER_DEFAULTS.concurrency);
    assert.equal(c.workflowCache, 320, 'sticky cache: 4 × 8 roles × 10 turns at once');
    assert.equal(c.shutdownGraceMs, 30_000);
    assert.equal(c.taskQueue, 'beadflow');
    assert.equal(c.roleQueuePrefix, 'beadflow-role-');
    assert.equal(c.workflows, true);
    assert.equal(c.roles.length, 8);
  });

  test('the sticky cache follows the beads running at once: roles × concurrency × 4, at least 100', () => {
    assert.equal(defaultWorkflowCache(8, 10), 320);
    assert.equal(defaultWorkflowCache(1, 10), 100);
    assert.equal(parseWorkerArgs(argv('--roles', 'QA,CEO', '--concurrency', '20'), {}).workflowCache, 160);
    assert.equal(parseWorkerArgs(argv('--roles', 'QA', '--cache', '7'), {}).workflowCache, 7, 'an explicit size wins');
    assert.equal(parseWorkerArgs(argv(), { BEADFLOW_WORKFLOW_CACHE: '0' }).workflowCache, 0, '0 turns sticky execution off');
  });

  test('flags beat the environment', () => {
    const env = { BEADFLOW_CONCURRENCY: '3', BEADFLOW_ROLES: 'CEO', BEADFLOW_SHUTDOWN_GRACE: '5s', BEADFLOW_AGENT: 'openai' };
    assert.deepEqual(
      (({ concurrency, roles, shutdownGraceMs, agent }) => ({ concurrency, roles, shutdownGraceMs, agent }))(parseWorkerArgs(argv(), env)),
      { concurrency: 3, roles: ['CEO'], shutdownGraceMs: 5_000, agent: 'openai' },
    );
    const c = parseWorkerArgs(
      argv(
        '--concurrency',
        '7',
        '--roles',
        'qa',
        '--shutdown-grace',
        '1m',
        '--agent',
        'command',
        '--no-workflows',
        '--agent-arg',
        'a b',
        '--agent-arg',
        '-v',
      ),
      env,
    );
    assert.deepEqual(
      [c.concurrency, c.roles, c.shutdownGraceMs, c.agent, c.workflows, c.agentArgs],
      [7, ['QA Engineer'], 60_000, 'command', false, ['a b', '-v']],
    );
  });

  test('bad values are usage errors that say where they came from', () => {
    assert.throws(
      () => parseWorkerArgs(argv('--concurrency', '0'), {}),
      cliError(/--concurrency \/ BEADFLOW_CONCURRENCY must be a whole number of at least 1, not "0"/),
    );
    assert.throws(() => parseWorkerArgs(argv(), { BEADFLOW_WORKFLOW_CACHE: 'lots' }), cliError(/BEADFLOW_WORKFLOW_CACHE/));
    assert.throws(() => parseWorkerArgs(argv('--shutdown-grace', 'soon'), {}), cliError(/not a duration/));
    assert.throws(() => parseWorkerArgs(argv('--agent', 'gpt'), {}), cliError(/gpt/));
    assert.deepEqual(
      parseWorkerArgs(argv('--roles', 'Intern'), {}).roles,
      ['Intern'],
      'an unknown role is served (with a warning), not refused',
    );
  });
});

describe('createProvider', () => {
  test('scripted by default; command, llm and openai on request', () => {
    assert.ok(createProvider({ env: {} }) instanceof ScriptedAgent);
    assert.ok(createProvider({ agent: 'command', agentCommand: agentPath, env: {} }) instanceof CommandAgent);
    const legacy = createProvider({ env: { BEADFLOW_AGENT: 'openai', OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' } });
    assert.ok(legacy instanceof LlmAgent);
    assert.equal(
      legacy.modelFor('QA Engineer'),
      'openai-compatible:gpt-4o-mini',
      'the old openai agent is llm on an OpenAI-compatible endpoint',
    );
    const llm = createProvider({
      agent: 'llm',
      model: 'anthropic:claude-sonnet-4-5',
      env: { ANTHROPIC_API_KEY: 'k', BEADFLOW_MODEL_QA_ENGINEER: 'openai-compatible:qwen', OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' },
    });
    assert.ok(llm instanceof LlmAgent);
    assert.equal(llm.modelFor('QA'), 'openai-compatible:qwen', 'BEADFLOW_MODEL_<ROLE> wins');
    assert.equal(llm.modelFor('Product Manager'), 'anthropic:claude-sonnet-4-5');
  });

  test('misconfiguration stops the worker at start with a hint', () => {
    assert.throws(
      () => createProvider({ env: { BEADFLOW_AGENT: 'magic' } }),
      cliError(/unknown agent provider "magic" \(from BEADFLOW_AGENT\)/),
    );
    assert.throws(() => createProvider({ agent: 'command', env: {} }), cliError(/needs an executable/));
    assert.throws(
      () => createProvider({ agent: 'command', agentCommand: `${tmp.dir}/missing.sh`, env: {} }),
      cliError(/does not exist or is not executable/),
    );
    assert.throws(() => createProvider({ agent: 'openai', env: {} }), cliError(/OPENAI_BASE_URL is not set/));
    assert.throws(() => createProvider({ agent: 'llm', env: {} }), cliError(/openai:gpt-4.1 but OPENAI_API_KEY is not set/));
    assert.throws(() => createProvider({ agent: 'llm', model: 'anthropic:claude', env: {} }), cliError(/ANTHROPIC_API_KEY is not set/));
    assert.throws(() => createProvider({ agent: 'llm', model: 'gpt-4.1', env: {} }), cliError(/is not <provider>:<model>/));
    assert.throws(
      () => createProvider({ agent: 'command', agentCommand: agentPath, env: { BEADFLOW_AGENT_ARGS: '--x' } }),
      cliError(/JSON array/),
    );
    assert.throws(
      () => createProvider({ agent: 'command', agentCommand: agentPath, personasDir: `${tmp.dir}/nope`, env: {} }),
      cliError(/personas directory/),
    );
  });

  test('BEADFLOW_AGENT_<ROLE>=command routes that role (any spelling in the definition) to the command agent', async () => {
    assert.equal(roleEnvSuffix('QA'), 'QA_ENGINEER');
    const p = createProvider({
      roles: ['QA Engineer', 'Product Manager'],
      env: { BEADFLOW_AGENT_QA_ENGINEER: 'command', BEADFLOW_AGENT_COMMAND: agentPath },
    });
    assert.ok(p instanceof RoleRoutedProvider);
    const qa = await p.runTurn(turnInput({ node: { role: 'qa' } }), fakeTurn().ctx);
    assert.equal(qa.summary, 'from the command agent');
    const pm = await p.runTurn(turnInput({ node: { key: 'pm_review', type: 'approval', role: 'Product Manager' } }), fakeTurn().ctx);
    assert.deepEqual([pm.agent, pm.outcome], ['scripted', 'approved']);
  });

  test('a per-role command path: BEADFLOW_AGENT_COMMAND_<ROLE>', async () => {
    const other = script(tmp.dir, 'other.sh', 'echo \'{"outcome":"failure","summary":"other agent"}\'');
    const p = createProvider({
      agent: 'command',
      agentCommand: agentPath,
      roles: ['CEO', 'Web Designer'],
      env: { BEADFLOW_AGENT_COMMAND_WEB_DESIGNER: other },
    });
    assert.equal((await p.runTurn(turnInput({ node: { role: 'designer' } }), fakeTurn().ctx)).summary, 'other agent');
    assert.equal((await p.runTurn(turnInput({ node: { role: 'CEO' } }), fakeTurn().ctx)).summary, 'from the command agent');
  });

  test('no per-role settings: no routing layer', () => {
    assert.ok(createProvider({ env: { BEADFLOW_AGENT_QA_ENGINEER: 'scripted' } }) instanceof ScriptedAgent);
  });
});

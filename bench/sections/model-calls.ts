/**
 * What durability costs a model agent: each model call of an `llm` turn is an activity of the
 * agentLoop child workflow (and each tool call another). Baseline: the same calls made directly
 * against the same local OpenAI-compatible server, in this process, in the same run. The model
 * answers at once, so the difference is beadflow's and Temporal's share per model call.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { NativeConnection } from '@temporalio/worker';
import { callModel } from '../../src/activities/llm/model-call';
import { ModelCatalog } from '../../src/activities/llm/models';
import { BUILTIN_TOOLS } from '../../src/activities/llm/tools';
import { startBeadRun } from '../../src/client/start';
import type { ResolvedDefinition } from '../../src/dsl/types';
import { DEFAULTS } from '../../src/dsl/types';
import type { TranscriptMessage } from '../../src/shared/agent-loop';
import type { Bead } from '../../src/shared/bead';
import { WorkerSet } from '../../src/workers/worker-set';
import { createProvider } from '../../src/workers/providers';
import type { BenchContext } from '../context';
import type { Summary } from '../stats';
import { summarize } from '../stats';

export interface ModelCallFigures {
  beads: number;
  /** Model calls per turn (each but the last asks for one tool call). */
  modelCallsPerTurn: number;
  toolCallsPerTurn: number;
  /** One model call made directly (no Temporal): the baseline. */
  directCallMs: Summary;
  /** One model call and the tool call it asks for, through the agentLoop workflow. */
  loopStepMs: Summary;
  /** loopStep p50 − direct p50. */
  overheadPerCallMs: number;
}

/** A model that asks for `steps` list_files calls, then finishes: decided from the transcript alone. */
async function startScriptedModel(steps: number): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8').on('data', (c: string) => (raw += c));
    req.on('end', () => {
      const messages = (JSON.parse(raw || '{}') as { messages?: Array<{ role: string }> }).messages ?? [];
      const done = messages.filter((m) => m.role === 'tool').length;
      const name = done < steps ? 'list_files' : 'finish';
      const args = done < steps ? {} : { outcome: 'success', summary: 'done' };
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'bench',
          object: 'chat.completion',
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: null,
                tool_calls: [{ id: `c${done}`, type: 'function', function: { name, arguments: JSON.stringify(args) } }],
              },
              finish_reason: 'tool_calls',
            },
          ],
          usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function oneTurn(): ResolvedDefinition {
  const node = {
    key: 'work',
    type: 'task' as const,
    role: 'Software Engineer',
    instructions: 'work',
    maxAttempts: 1,
    timeoutMs: 0,
    retry: DEFAULTS.retry,
    maxCycles: 3,
    maxDispatches: 5,
    maxToolCalls: 1_000,
    maxTokens: 10_000_000,
    metadata: {},
  };
  return {
    id: 'bench-llm',
    name: 'bench llm',
    description: '',
    workflowType: 'bench-llm',
    isDefault: false,
    nodes: [node],
    edges: [
      { from: '', to: 'work', condition: 'success', priority: 100 },
      { from: 'work', to: '', condition: 'success', priority: 100 },
    ],
    maxHops: 100,
    escalation: { childBead: false },
  };
}

export async function measureModelCalls(ctx: BenchContext, beads: number, steps = 10): Promise<ModelCallFigures> {
  const model = await startScriptedModel(steps);
  const env = { OPENAI_BASE_URL: model.url };
  const connection = await NativeConnection.connect({ address: ctx.server.handle.address });
  const taskQueue = `${ctx.taskQueue}-llm`;
  const roleQueuePrefix = `${ctx.roleQueuePrefix}llm-`;
  try {
    // Baseline: the calls of one turn, made directly, with the transcript growing as in the loop.
    const models = new ModelCatalog(env);
    const direct: number[] = [];
    for (let b = 0; b < beads; b++) {
      const messages: TranscriptMessage[] = [{ role: 'user', content: 'work' }];
      for (let i = 0; i <= steps; i++) {
        const t = performance.now();
        const reply = await callModel(models, {
          model: 'openai-compatible:bench',
          system: 's',
          messages,
          tools: BUILTIN_TOOLS,
          beadId: 'b',
          node: 'work',
        });
        direct.push(performance.now() - t);
        messages.push(...reply.messages);
        for (const c of reply.toolCalls)
          messages.push({
            role: 'tool',
            content: [{ type: 'tool-result', toolCallId: c.toolCallId, toolName: c.toolName, output: { type: 'text', value: '' } }],
          });
      }
    }
    const workers = await WorkerSet.create({
      connection,
      workflowTaskQueue: taskQueue,
      roles: ['Software Engineer'],
      roleQueuePrefix,
      provider: createProvider({ agent: 'llm', model: 'openai-compatible:bench', roles: ['Software Engineer'], env }),
      hostId: `bench-${ctx.beadId('host')}`,
    });
    const perStep: number[] = [];
    await workers.runUntil(async () => {
      for (let b = 0; b < beads; b++) {
        const bead: Bead = { id: ctx.beadId('llm'), title: 'bench', type: 'bench-llm', description: '', priority: 'P2', labels: [] };
        const handle = await startBeadRun(ctx.client, { bead, definition: oneTurn(), options: { roleQueuePrefix } }, taskQueue);
        await handle.result();
        // The agentLoop child's own run, start to close, spread over its model calls (the first bead warms up).
        const history = await handle.fetchHistory();
        const childId = history.events
          ?.map((e) => e.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId)
          .find((id): id is string => !!id);
        if (!childId) throw new Error(`bead ${bead.id} ran no agentLoop child`);
        const child = await ctx.client.workflow.getHandle(childId).describe();
        if (b > 0 && child.closeTime) perStep.push((child.closeTime.getTime() - child.startTime.getTime()) / (steps + 1));
      }
    });
    const directMs = summarize(direct);
    const loopStepMs = summarize(perStep);
    const figures = {
      beads,
      modelCallsPerTurn: steps + 1,
      toolCallsPerTurn: steps,
      directCallMs: directMs,
      loopStepMs,
      overheadPerCallMs: loopStepMs.p50 - directMs.p50,
    };
    ctx.progress.note(
      `model calls: direct p50 ${directMs.p50.toFixed(1)} ms; through agentLoop (model call + tool call) p50 ${loopStepMs.p50.toFixed(1)} ms per call`,
    );
    return figures;
  } finally {
    await connection.close();
    await model.close();
  }
}

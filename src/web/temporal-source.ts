/** The web API's BeadSource over a Temporal client: visibility for lists, the state query for a bead, Updates for decisions. */
import type { Client } from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import { ApplicationFailure } from '@temporalio/common';
import { beadRun, sendDecision } from '../client/beads';
import { beadStatus } from '../client/status';
import type { ResolvedDefinition } from '../dsl/types';
import type { BeadInput } from '../shared/bead';
import { PRIORITIES } from '../shared/bead';
import { BeadflowError } from '../shared/errors';
import { roleSlug } from '../shared/roles';
import { BEAD_STATUS, BEAD_TYPE, CURRENT_NODE, REQUIRED_ROLE } from '../shared/search-attributes';
import { effectiveStatus } from '../client/status';
import { DECISION_REFUSED } from '../workflows/messages';
import type { BeadDetail, BeadListFilter, BeadPage, BeadSource, BeadSummary, Decision } from './source';
import { DecisionRefusedError } from './source';

/** Keyword values go into a visibility query between single quotes: the API admits only these characters. */
export const SAFE_KEYWORD = /^[A-Za-z0-9 _.:/-]{1,100}$/;

export function visibilityQuery(filter: BeadListFilter): string {
  const parts = ["WorkflowType='beadWorkflow'", filter.active ? "ExecutionStatus='Running'" : "ExecutionStatus!='ContinuedAsNew'"];
  const add = (attribute: string, value: string | undefined) => {
    if (!value) return;
    if (!SAFE_KEYWORD.test(value)) throw new Error(`unsafe visibility value ${JSON.stringify(value)}`);
    parts.push(`${attribute}='${value}'`);
  };
  add(BEAD_STATUS.name, filter.status);
  add(REQUIRED_ROLE.name, filter.role ? roleSlug(filter.role) : undefined);
  add(BEAD_TYPE.name, filter.type);
  return parts.join(' AND ');
}

function priorityName(key: number | undefined): string {
  return key && key >= 1 && key <= PRIORITIES.length ? PRIORITIES[key - 1] : '';
}

export function temporalSource(client: Client): BeadSource {
  const definitions = new Map<string, ResolvedDefinition>();
  const closed = new Map<string, BeadDetail>();
  const converter = client.options.loadedDataConverter;
  const namespace = client.options.namespace;

  /** The definition the run started with: the first history event's input (one small read, cached per run). */
  async function pinnedDefinition(beadId: string, runId: string): Promise<ResolvedDefinition | undefined> {
    const cached = definitions.get(runId);
    if (cached) return cached;
    const response = await client.workflowService.getWorkflowExecutionHistory({
      namespace,
      execution: { workflowId: beadId, runId },
      maximumPageSize: 1,
    });
    const payload = response.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    if (!payload) return undefined;
    const input = converter.payloadConverter.fromPayload<BeadInput>(payload);
    if (!input?.definition?.nodes) return undefined;
    if (definitions.size > 500) definitions.clear();
    definitions.set(runId, input.definition);
    return input.definition;
  }

  /** Visibility lists carry no priority: one describe per run, remembered (a run's priority is set at start). */
  const priorities = new Map<string, string>();
  async function fillPriorities(beads: BeadSummary[]): Promise<void> {
    const missing = beads.filter((b) => !b.priority);
    for (let i = 0; i < missing.length; i += 8) {
      await Promise.all(
        missing.slice(i, i + 8).map(async (b) => {
          let p = priorities.get(b.runId);
          if (p === undefined) {
            const d = await client.workflow
              .getHandle(b.beadId, b.runId)
              .describe()
              .catch(() => undefined);
            p = priorityName(d?.priority?.priorityKey);
            if (priorities.size > 5000) priorities.clear();
            if (d) priorities.set(b.runId, p);
          }
          b.priority = p;
        }),
      );
    }
  }

  return {
    async list(filter, pageSize, nextPageToken): Promise<BeadPage> {
      const response = await client.workflowService.listWorkflowExecutions({
        namespace,
        query: visibilityQuery(filter),
        pageSize,
        nextPageToken: nextPageToken ? Buffer.from(nextPageToken, 'base64url') : undefined,
      });
      const beads: BeadSummary[] = [];
      for (const raw of response.executions ?? []) {
        const wf = await executionInfoFromRaw(raw, converter, raw, namespace);
        const sa = wf.typedSearchAttributes;
        const dash = (v: string | undefined) => (v && v !== '-' ? v : '');
        beads.push({
          beadId: wf.workflowId,
          runId: wf.runId,
          title: typeof wf.memo?.title === 'string' ? wf.memo.title : '',
          type: sa.get(BEAD_TYPE) ?? '',
          priority: priorityName(wf.priority?.priorityKey),
          status: effectiveStatus(sa.get(BEAD_STATUS), wf.status.name),
          executionStatus: wf.status.name,
          currentNode: dash(sa.get(CURRENT_NODE)),
          requiredRole: dash(sa.get(REQUIRED_ROLE)),
          definitionId: typeof wf.memo?.definitionId === 'string' ? wf.memo.definitionId : '',
          startTime: wf.startTime.toISOString(),
          closeTime: wf.closeTime?.toISOString(),
        });
      }
      await fillPriorities(beads);
      const text = filter.text?.toLowerCase();
      const token = response.nextPageToken?.length ? Buffer.from(response.nextPageToken).toString('base64url') : undefined;
      return {
        beads: beads.filter(
          (b) =>
            (!filter.priority || b.priority === filter.priority) &&
            (!text || b.beadId.toLowerCase().includes(text) || b.title.toLowerCase().includes(text)),
        ),
        nextPageToken: token,
      };
    },

    async detail(beadId): Promise<BeadDetail | undefined> {
      let run;
      try {
        run = await beadRun(client, beadId);
      } catch (err) {
        if (err instanceof BeadflowError && /^unknown bead|not a bead/.test(err.message)) return undefined;
        throw err;
      }
      const runId = run.description.runId;
      const done = closed.get(runId);
      if (done) return done;
      const status = await beadStatus(client, beadId);
      const definition = await pinnedDefinition(beadId, runId).catch(() => undefined);
      const detail: BeadDetail = {
        status,
        definition,
        definitionSource: definition ? 'run-input' : 'none',
        priority: priorityName(run.description.priority?.priorityKey),
      };
      // A closed run never changes, and querying it replays its whole history on a worker: answer it once.
      if (run.temporalStatus !== 'RUNNING' && status.source === 'query') {
        if (closed.size > 500) closed.clear();
        closed.set(runId, detail);
      }
      return detail;
    },

    async decide(beadId, decision: Decision) {
      try {
        return await sendDecision(client, beadId, decision);
      } catch (err) {
        const cause = err instanceof BeadflowError ? err.cause : undefined;
        if (cause instanceof ApplicationFailure && cause.type === DECISION_REFUSED) {
          throw new DecisionRefusedError(cause.message, (err as BeadflowError).hint);
        }
        throw err;
      }
    },
  };
}

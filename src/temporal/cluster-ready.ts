/**
 * When a started cluster can run beads: the frontend answers, the namespace is registered and
 * described, and every bead search attribute is listed (added where missing).
 */
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { msToTs } from '@temporalio/common/lib/time';
import { BEAD_SEARCH_ATTRIBUTES } from '../shared/search-attributes';
import { sleep as delay } from '../system/process';
import { RETENTION_SECONDS } from './cluster-config';
import { clientTlsOptions, type ClusterTls } from './cluster-tls';

function grpcCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

/** getSystemInfo answers, the namespace exists, every bead search attribute is listed. */
export async function waitForClusterReady(
  address: string,
  namespace: string,
  deadline: number,
  abortReason: () => string | undefined,
  log: (line: string) => void,
  tls: ClusterTls | undefined,
): Promise<void> {
  const { Connection } = await import('@temporalio/client');
  let connection: Awaited<ReturnType<typeof Connection.connect>> | undefined;
  let lastError = '';
  const check = () => {
    const aborted = abortReason();
    if (aborted) throw new Error(aborted);
    if (Date.now() > deadline) throw new Error(`not ready in time: ${lastError || 'no answer'}`);
  };
  for (;;) {
    try {
      connection ??= await Connection.connect({ address, connectTimeout: '5s', ...(tls ? { tls: clientTlsOptions(tls) } : {}) });
      await connection.workflowService.getSystemInfo({});
      break;
    } catch (err) {
      lastError = `frontend ${address}: ${(err as Error).message}`;
    }
    check();
    await delay(250);
  }
  try {
    // The namespace: register (idempotent), then wait until it is described.
    for (;;) {
      try {
        await connection.workflowService.describeNamespace({ namespace });
        break;
      } catch (err) {
        lastError = `namespace ${namespace}: ${(err as Error).message}`;
        if (grpcCode(err) === 5 /* NOT_FOUND */) {
          try {
            await connection.workflowService.registerNamespace({
              namespace,
              workflowExecutionRetentionPeriod: msToTs(RETENTION_SECONDS * 1000),
            });
            log(`registered namespace ${namespace}`);
          } catch (regErr) {
            if (grpcCode(regErr) !== 6 /* ALREADY_EXISTS */) lastError = `registering namespace ${namespace}: ${(regErr as Error).message}`;
          }
        }
      }
      check();
      await delay(250);
    }
    // The search attributes: add the missing ones, verify they are all listed.
    for (;;) {
      try {
        const res = await connection.operatorService.listSearchAttributes({ namespace });
        const have = res.customAttributes ?? {};
        const missing = BEAD_SEARCH_ATTRIBUTES.filter((k) => !(k.name in have));
        if (missing.length === 0) return;
        lastError = `search attributes missing: ${missing.map((k) => k.name).join(', ')}`;
        await connection.operatorService.addSearchAttributes({
          namespace,
          searchAttributes: Object.fromEntries(missing.map((k) => [k.name, encodeSearchAttributeIndexedValueType(k.type)!])),
        });
        log(`added search attributes ${missing.map((k) => k.name).join(', ')}`);
      } catch (err) {
        lastError = `search attributes: ${(err as Error).message}`;
      }
      check();
      await delay(250);
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
}

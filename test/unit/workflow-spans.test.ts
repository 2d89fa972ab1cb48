/**
 * beadflow's spans in workflow code (src/workflows/spans.ts). With tracing off, a span must not
 * enter the private random stream: entering it makes an AsyncLocalStorage per workflow, and on
 * Node 20 every promise in the worker thread then holds a slot per cached workflow. Outside a
 * workflow the stream throws, which is what tells the two paths apart here.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { inSpan } from '../../src/workflows/spans';

afterEach(() => trace.disable());

describe('inSpan', () => {
  test('tracing off: runs the function in a no-op span without the random stream', async () => {
    let recording: boolean | undefined;
    const value = await inSpan('turn review', { node: 'review' }, async (span) => {
      recording = span.isRecording();
      return 42;
    });
    assert.equal(value, 42);
    assert.equal(recording, false);
  });

  test('tracing off: an error from the function is rethrown unchanged', async () => {
    const boom = new Error('agent failed');
    await assert.rejects(
      inSpan('turn review', {}, async () => {
        throw boom;
      }),
      (err) => err === boom,
    );
  });

  test('tracing on: span ids are drawn inside the private stream (workflow context only)', async () => {
    trace.setGlobalTracerProvider(new BasicTracerProvider());
    let ran = false;
    await assert.rejects(
      inSpan('turn review', {}, async () => {
        ran = true;
      }),
      /getRandomStream\(\.\.\.\) may only be used from workflow context/,
    );
    assert.equal(ran, false, 'the span is started before the function runs');
  });
});

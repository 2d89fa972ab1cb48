/**
 * The web page end to end: a real Temporal dev server, workers, `beadflow ui`'s server on port 0,
 * and Debian's Chromium driven by playwright-core. A bead parks at pm_review; the page shows it
 * there, refuses a user without the role, approves as the Product Manager and follows the bead on.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { PROJECT_DEFINITIONS_DIR } from '../../src/dsl';
import { startUiServer, type UiServer } from '../../src/web/server';
import { loadUsers, sha256Hex } from '../../src/web/users';
import type { WorkerSet } from '../../src/workers/worker-set';
import { definition, humanReview, node } from '../fixtures/definitions';
import { BeadHarness, startParked, waitForState } from '../helpers/beads';
import { startTestEnv, uniqueId } from '../helpers/temporal';

const CHROMIUM = process.env.BEADFLOW_CHROMIUM ?? '/usr/bin/chromium';

describe('the web page in a browser', () => {
  let env: TestWorkflowEnvironment;
  let h: BeadHarness;
  let workers: WorkerSet;
  let running: Promise<void>;
  let ui: UiServer;
  let browser: Browser;
  let tmp: string;
  const pmToken = uniqueId('pm-token');
  const qaToken = uniqueId('qa-token');
  const ceoToken = uniqueId('ceo-token');

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'beadflow-ui-'));
    env = await startTestEnv();
    h = new BeadHarness(env);
    workers = await h.workers();
    running = workers.run();
    const usersFile = path.join(tmp, 'users.yaml');
    writeFileSync(
      usersFile,
      `- {name: pam, roles: [Product Manager], token_sha256: ${sha256Hex(pmToken)}}\n- {name: quinn, roles: [QA Engineer], token_sha256: ${sha256Hex(qaToken)}}\n- {name: carla, roles: [Engineering Manager, CEO], token_sha256: ${sha256Hex(ceoToken)}}\n`,
    );
    const users = loadUsers(usersFile);
    // Analytics from a stand-in ledger answer: the page's bars are under test here, the SQL in the ledger tests.
    const byType = {
      workflow_type: 'bug',
      executions: 4,
      finished: 3,
      active: 1,
      completed: 2,
      completion_rate: 0.6667,
      escalation_rate: 0.25,
    };
    const figures = { ...byType, avg_duration_s: 12.5, avg_dispatch_count: 3, avg_cycle_count: 0.5, max_cycle_count: 2 };
    ui = await startUiServer({
      client: env.client,
      users,
      definitionDirs: [PROJECT_DEFINITIONS_DIR],
      port: 0,
      analytics: async () => ({
        configured: true,
        where: 'test',
        analytics: {
          byType: [figures],
          total: { ...figures, workflow_type: 'all' },
          cycles: [],
          tokens: { byType: [], byRole: [], topBeads: [] },
        },
      }),
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  });

  after(async () => {
    await browser?.close();
    await ui?.close();
    workers?.shutdown();
    await running;
    await env?.teardown();
    if (tmp && !process.env.BEADFLOW_KEEP_UI_TMP) rmSync(path.join(tmp, 'users.yaml'), { force: true });
  });

  /** Waits until the bead page draws `node` as current (or, with `not`, no longer), checking the DOM every 20 ms. */
  async function currentIs(page: Page, node: string, opts: { not?: boolean; timeout?: number } = {}): Promise<void> {
    await page.waitForFunction(
      ([key, not]) => {
        // Runs in the page; tsconfig has no DOM types.
        const doc = (globalThis as unknown as { document: { querySelector(sel: string): unknown } }).document;
        return (doc.querySelector(`#bead-graph g.node.current[data-key="${key}"]`) !== null) !== not;
      },
      [node, opts.not === true] as const,
      { timeout: opts.timeout ?? 15_000, polling: 20 },
    );
  }

  async function signIn(page: Page, token: string): Promise<void> {
    await page.fill('#token', token);
    await page.click('#token-save');
    await page.waitForFunction(
      () => {
        const doc = (globalThis as unknown as { document: { getElementById(id: string): { textContent: string | null } | null } }).document;
        return !/not signed in|not valid/.test(doc.getElementById('who')?.textContent ?? '');
      },
      null,
      { timeout: 5_000, polling: 20 },
    );
  }

  test('the bead page: highlighted node, a refusal for the wrong role, an approval that moves the bead on', async () => {
    const handle = await startParked(h, humanReview());
    const page = await browser.newPage();
    const t0 = Date.now();
    await page.goto(`${ui.url}/beads/${encodeURIComponent(handle.workflowId)}`);
    await currentIs(page, 'pm_review');
    const loadMs = Date.now() - t0;
    const inPage = (await page.evaluate('window.__beadflow.loadedMs')) as number;
    process.stderr.write(`ui: bead page load ${loadMs} ms (goto → graph drawn with the current node); in-page ${Math.round(inPage)} ms\n`);
    assert.equal(await page.locator('#bead-graph g.edge.taken[data-from="investigate"][data-to="pm_review"]').count(), 1);
    assert.equal(await page.locator('#bead-graph g.node.visited[data-key="investigate"]').count(), 1);

    const parkedShot = path.join(tmp, 'bead-page-parked.png');
    await page.screenshot({ path: parkedShot, fullPage: true });
    process.stderr.write(`ui: screenshot of the parked bead ${parkedShot}\n`);

    // quinn is a QA Engineer: the bead's validator refuses, and the page says why.
    await signIn(page, qaToken);
    await page.click('#approve');
    await page.waitForSelector('#decision-result.refused', { timeout: 10_000 });
    assert.match((await page.textContent('#decision-result')) ?? '', /QA Engineer may not decide "pm_review"/);
    assert.equal((await waitForState(handle, () => true, 'state')).currentNode, 'pm_review', 'the refusal changed nothing');

    // Rejecting without a reason is stopped in the page itself.
    await signIn(page, pmToken);
    await page.click('#reject');
    assert.match((await page.textContent('#decision-result')) ?? '', /needs a reason/);

    await page.fill('#reason', 'looks right');
    const clicked = Date.now();
    await page.click('#approve');
    await page.waitForSelector('#decision-result.accepted', { timeout: 10_000 });
    const acceptedMs = Date.now() - clicked;
    assert.match(
      (await page.textContent('#decision-result')) ?? '',
      /accepted: approved pm_review as Product Manager — took pm_review → apply_fix/,
    );
    await page.waitForSelector('#bead-graph g.edge.taken[data-from="pm_review"][data-to="apply_fix"]', { timeout: 10_000 });
    await waitForState(handle, (s) => s.status === 'completed', 'the bead to complete');
    await page.waitForSelector('#bead-status[data-status="completed"]', { state: 'attached', timeout: 10_000 });
    const history = (await page.textContent('#timeline')) ?? '';
    assert.match(history, /looks right \(pam, web\)/);
    const shot = path.join(tmp, 'bead-page.png');
    await page.screenshot({ path: shot, fullPage: true });
    process.stderr.write(`ui: click → accepted shown ${acceptedMs} ms; screenshot ${shot}\n`);
    await page.close();
  });

  test('a transition made elsewhere reaches an open page within the polling period', async () => {
    const page = await browser.newPage();
    const delays: number[] = [];
    const loads: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const handle = await startParked(h, humanReview());
      const t0 = Date.now();
      await page.goto(`${ui.url}/beads/${encodeURIComponent(handle.workflowId)}`);
      await currentIs(page, 'pm_review');
      loads.push(Date.now() - t0);
      // Approve through the API (as a script would); the page learns of it only by polling.
      const res = await fetch(`${ui.url}/api/beads/${encodeURIComponent(handle.workflowId)}/decisions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${pmToken}` },
        body: JSON.stringify({ action: 'approve', reason: 'from a script' }),
      });
      const accepted = Date.now();
      assert.equal(res.status, 200);
      await currentIs(page, 'pm_review', { not: true, timeout: 10_000 });
      delays.push(Date.now() - accepted);
    }
    process.stderr.write(`ui: page loads ${loads.join(', ')} ms; Update accepted → page shows the move: ${delays.join(', ')} ms\n`);
    for (const d of delays) assert.ok(d < 3_000, `the page showed the transition after ${d} ms`);
    await page.close();
  });

  test('the API: no token → 401; the list and inbox show the parked bead', async () => {
    const handle = await startParked(h, humanReview());
    const url = `${ui.url}/api/beads/${encodeURIComponent(handle.workflowId)}/decisions`;
    const noToken = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"action":"approve"}' });
    assert.equal(noToken.status, 401);
    const page = await browser.newPage();
    await page.goto(`${ui.url}/inbox?role=${encodeURIComponent('Product Manager')}`);
    await page.waitForSelector(`#inbox-list tr[data-bead="${handle.workflowId}"]`, { timeout: 15_000 });
    await page.goto(`${ui.url}/?status=waiting_approval`);
    await page.waitForSelector(`#bead-list tr[data-bead="${handle.workflowId}"]`, { timeout: 15_000 });
    await page.close();
    await handle.terminate('test over');
  });

  test('an escalated bead: the escalation record, and the CEO overrides it from the page', async () => {
    const def = definition(
      [node('build', 'task', { maxAttempts: 2 }), node('ship')],
      [
        ['', 'build', 'success'],
        ['build', 'ship', 'success'],
        ['ship', '', 'success'],
      ],
    );
    const handle = await h.start(def, { scenario: { build: ['failure', 'failure', 'success'] } });
    await waitForState(handle, (x) => x.status === 'escalated', 'open escalation');
    const page = await browser.newPage();
    await page.goto(`${ui.url}/beads/${encodeURIComponent(handle.workflowId)}`);
    await page.waitForSelector('#escalation >> text=failed 2 of 2 attempts', { timeout: 15_000 });
    await signIn(page, ceoToken);
    await page.selectOption('#override-action', 'retry');
    await page.fill('#reason', 'flaky runner');
    await page.click('#override');
    await page.waitForSelector('#decision-result.accepted', { timeout: 10_000 });
    assert.match((await page.textContent('#decision-result')) ?? '', /accepted: retry build as CEO/);
    assert.equal((await handle.result()).status, 'completed');
    await page.close();
  });

  test('the definitions page lists findings and draws a graph; analytics draws bars', async () => {
    const page = await browser.newPage();
    await page.goto(`${ui.url}/definitions`);
    await page.waitForSelector('#definitions table', { timeout: 10_000 });
    await page.locator('#definitions a').first().click();
    await page.waitForSelector('#definition-graph svg.graph g.node', { timeout: 10_000 });
    await page.goto(`${ui.url}/analytics`);
    await page.waitForSelector('#analytics svg.bars rect.bar', { timeout: 10_000 });
    assert.match((await page.textContent('#analytics')) ?? '', /67%/);
    await page.close();
  });
});

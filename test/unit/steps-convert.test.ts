/** The step format converts to nodes and edges: the three peer files, forks and joins, variables, and located errors. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { loadCatalog, loadDefinitionFile, loadDefinitionText, type Finding, type ResolvedDefinition } from '../../src/dsl';
import { substitute } from '../../src/dsl/steps';

const PEERS = path.resolve(__dirname, '../../../shared/peers/multi-agent-machine-client');

function load(name: string): { def: ResolvedDefinition; findings: Finding[] } {
  const { definition, findings } = loadDefinitionFile(path.join(PEERS, name));
  assert.deepEqual(
    findings.filter((f) => f.severity === 'error'),
    [],
  );
  assert.ok(definition);
  return { def: definition, findings };
}
const node = (def: ResolvedDefinition, key: string) => {
  const n = def.nodes.find((x) => x.key === key);
  assert.ok(n, `node ${key}`);
  return n;
};
const edges = (def: ResolvedDefinition) => def.edges.map((e) => `${e.from || '^'}>${e.to || '$'}:${e.condition}`).sort();
const warningCodes = (findings: Finding[]) => [...new Set(findings.filter((f) => f.severity === 'warning').map((f) => f.code))].sort();

describe('the peer step-format files convert', () => {
  test('feature.yml: a chain into a parallel governance fork and its join, then docs and a commit', () => {
    const { def, findings } = load('feature.yml');
    assert.equal(def.id, 'feature');
    assert.deepEqual(warningCodes(findings), ['no-failure-route']);
    assert.deepEqual(
      edges(def),
      [
        '^>requirements:success',
        'code-review>governance-reviews-done:success',
        'comprehensive-qa>governance-reviews:success',
        'design>implementation:success',
        'documentation>finalization:success',
        'finalization>$:success',
        'governance-reviews-done>documentation:success',
        'governance-reviews>code-review:success',
        'governance-reviews>performance-review:success',
        'governance-reviews>security-review:success',
        'implementation>comprehensive-qa:success',
        'requirements>design:success',
        'security-review>governance-reviews-done:success',
        'performance-review>governance-reviews-done:success',
      ].sort(),
    );
    assert.equal(node(def, 'governance-reviews').type, 'parallel');
    assert.deepEqual(node(def, 'governance-reviews-done').merge, { fork: 'governance-reviews', wait: 'all' });
    assert.equal(node(def, 'finalization').type, 'commit');
    assert.equal(node(def, 'finalization').metadata.operation, 'feature_complete');
    // personas → roles; the persona stays as the hint
    assert.equal(node(def, 'requirements').role, 'Engineering Manager');
    assert.equal(node(def, 'requirements').personaHint, 'implementation-planner');
    assert.equal(node(def, 'implementation').role, 'Software Engineer');
    assert.equal(node(def, 'comprehensive-qa').role, 'QA Engineer');
    assert.equal(node(def, 'security-review').role, 'Code Reviewer');
    // timeouts: seconds and {{variables.x}}; attempts = retries + 1, else variables.max_retries + 1
    assert.equal(node(def, 'requirements').timeoutMs, 1_200_000);
    assert.equal(node(def, 'implementation').timeoutMs, 2_400_000);
    assert.equal(node(def, 'comprehensive-qa').timeoutMs, 1_800_000);
    assert.equal(node(def, 'requirements').maxAttempts, 3);
    assert.equal(node(def, 'design').maxAttempts, 4);
    assert.deepEqual(node(def, 'requirements').retry, { initialMs: 30_000, coefficient: 2, maxMs: 90_000 });
    assert.equal(node(def, 'governance-reviews').metadata.condition, "context.state.get('qa_status') === 'pass'");
    assert.match(node(def, 'implementation').instructions, /^Feature Implementation\n- stage: feature_implementation/);
  });

  test('hotfix.yml: a straight chain ending in a commit', () => {
    const { def, findings } = load('hotfix.yml');
    assert.deepEqual(warningCodes(findings), ['no-failure-route']);
    assert.deepEqual(edges(def), [
      '^>assessment:success',
      'assessment>implementation:success',
      'deployment>$:success',
      'implementation>validation:success',
      'security-check>deployment:success',
      'validation>security-check:success',
    ]);
    assert.ok(!def.nodes.some((n) => n.type === 'parallel' || n.type === 'merge'));
    assert.equal(node(def, 'assessment').timeoutMs, 900_000);
    assert.equal(node(def, 'assessment').maxAttempts, 2);
    assert.equal(node(def, 'validation').maxAttempts, 3, 'variables.max_retries: 2');
    assert.equal(node(def, 'deployment').type, 'commit');
    assert.equal(node(def, 'deployment').role, 'Engineering Manager');
  });

  test('project-loop.yml: governance forks into two reviews and joins before completion', () => {
    const { def, findings } = load('project-loop.yml');
    assert.deepEqual(warningCodes(findings), ['no-failure-route']);
    assert.deepEqual(
      def.nodes.map((n) => `${n.key}:${n.type}`),
      [
        'planning:task',
        'plan-evaluation:task',
        'implementation:task',
        'qa:task',
        'governance:parallel',
        'code-review:task',
        'security-review:task',
        'governance-done:merge',
        'completion:commit',
      ],
    );
    assert.deepEqual(
      def.edges.filter((e) => e.from === 'governance').map((e) => e.to),
      ['code-review', 'security-review'],
    );
    assert.equal(node(def, 'planning').timeoutMs, 1_800_000);
    assert.equal(node(def, 'implementation').timeoutMs, 3_600_000);
    assert.equal(node(def, 'implementation').maxAttempts, 2);
    assert.equal(node(def, 'qa').maxAttempts, 3, 'no retries, no max_retries: the engine default');
  });

  test('warnings are located in the step file', () => {
    const { findings } = load('hotfix.yml');
    assert.ok(findings.length > 0);
    assert.ok(findings.every((f) => f.line > 0));
  });
});

describe('dependencies become forks and joins', () => {
  const text = [
    'name: diamond',
    'steps:',
    '  - { id: plan, type: persona-request, persona: planner }',
    '  - { id: front, type: persona-request, persona: lead-engineer, dependencies: [plan] }',
    '  - { id: back, type: persona-request, persona: lead-engineer, depends_on: [plan] }',
    '  - { id: test, type: persona-request, persona: qa-engineer, dependencies: [front, back] }',
    '  - { id: docs, type: persona-request, persona: documentation-writer }',
  ].join('\n');
  test('a diamond forks after plan and joins before test; two roots fork from the start and join at the end', () => {
    const { definition, findings } = loadDefinitionText(text, 'diamond.yml');
    assert.deepEqual(
      findings.filter((f) => f.severity === 'error'),
      [],
    );
    assert.ok(definition);
    assert.deepEqual(edges(definition), [
      '^>start-fork:success',
      'back>test-join:success',
      'docs>end-join:success',
      'end-join>$:success',
      'front>test-join:success',
      'plan-fork>back:success',
      'plan-fork>front:success',
      'plan>plan-fork:success',
      'start-fork>docs:success',
      'start-fork>plan:success',
      'test-join>test:success',
      'test>end-join:success',
    ]);
    assert.deepEqual(node(definition, 'test-join').merge, { fork: 'plan-fork', wait: 'all' });
    assert.deepEqual(node(definition, 'end-join').merge, { fork: 'start-fork', wait: 'all' });
  });

  test('a cycle is one located error naming it', () => {
    const cyclic = [
      'steps:',
      '  - { id: a, type: persona-request, persona: planner, dependencies: [c] }',
      '  - { id: b, type: persona-request, persona: planner, dependencies: [a] }',
      '  - { id: c, type: persona-request, persona: planner, dependencies: [b] }',
    ].join('\n');
    const { definition, findings } = loadDefinitionText(cyclic, 'cycle.yml');
    assert.equal(definition, undefined);
    assert.equal(findings.length, 1);
    assert.equal(findings[0]!.code, 'dependency-cycle');
    assert.match(findings[0]!.message, /cycle: a → c → b → a/);
    assert.deepEqual([findings[0]!.line, findings[0]!.col], [2, 55]);
  });

  test('an unknown dependency is located at the dependencies key', () => {
    const { findings } = loadDefinitionText(
      'steps:\n  - id: a\n    type: persona-request\n    persona: planner\n    dependencies: [nope]\n',
      'x.yml',
    );
    assert.deepEqual(
      findings.map((f) => [f.code, f.line]),
      [['unknown-dependency', 5]],
    );
  });

  test('branches that do not meet again at one step are a located error', () => {
    const crossed = [
      'steps:',
      '  - { id: a, type: persona-request, persona: planner }',
      '  - { id: b, type: persona-request, persona: planner, dependencies: [a] }',
      '  - { id: c, type: persona-request, persona: planner, dependencies: [a] }',
      '  - { id: d, type: persona-request, persona: planner, dependencies: [b, c] }',
      '  - { id: e, type: persona-request, persona: planner, dependencies: [b, c] }',
    ].join('\n');
    const { findings } = loadDefinitionText(crossed, 'x.yml');
    assert.ok(findings.length > 0);
    assert.ok(findings.every((f) => f.code === 'dependencies-do-not-nest' && f.line > 0));
    assert.match(findings[0]!.message, /the steps after step "a" \(step "b", step "c"\) meet at several steps/);
  });
});

describe('step types, variables and conditions', () => {
  test('an unsupported step type is exactly one located error naming it and the known types', () => {
    const text =
      'name: x\nsteps:\n  - id: a\n    type: persona-request\n    persona: planner\n  - id: b\n    type: teleport\n    dependencies: [a]\n';
    const { definition, findings } = loadDefinitionText(text, 'x.yml');
    assert.equal(definition, undefined);
    assert.equal(findings.length, 1);
    assert.deepEqual([findings[0]!.code, findings[0]!.line, findings[0]!.col], ['step-type', 7, 11]);
    assert.match(findings[0]!.message, /"b" has type "teleport", which the engine cannot run/);
    assert.match(findings[0]!.hint, /known step types: persona-request, parallel, git-operation/);
  });

  test('status and dashboard steps become no node: their dependents take their dependencies', () => {
    const text = [
      'steps:',
      '  - { id: a, type: persona-request, persona: planner }',
      '  - { id: s, type: status-update, dependencies: [a] }',
      '  - { id: d, type: dashboard-update, dependencies: [s] }',
      '  - { id: b, type: persona-request, persona: qa-engineer, dependencies: [d] }',
    ].join('\n');
    const { definition, findings } = loadDefinitionText(text, 'x.yml');
    assert.ok(definition, JSON.stringify(findings));
    assert.deepEqual(edges(definition), ['^>a:success', 'a>b:success', 'b>$:success']);
    assert.deepEqual(
      findings.filter((f) => f.code === 'step-no-op').map((f) => f.line),
      [3, 4],
    );
  });

  test('keys the converter does not read are located warnings', () => {
    const text = 'name: k\nowner: me\nsteps:\n  - id: a\n    type: persona-request\n    persona: planner\n    on_failure: retry\n';
    const { definition, findings } = loadDefinitionText(text, 'x.yml');
    assert.ok(definition);
    assert.deepEqual(
      findings.filter((f) => f.code === 'ignored-key').map((f) => f.line),
      [2, 7],
    );
  });

  test('variables are substituted into instructions, params, timeouts and operations', () => {
    const text = [
      'name: vars',
      'variables: { area: billing, t: 120, op: ship }',
      'steps:',
      '  - id: a',
      '    name: "Fix ${area} in {{variables.area}} and ${variables.area}"',
      '    type: persona-request',
      '    persona: lead-engineer',
      '    timeout: "{{ variables.t }}"',
      '    params: { scope: "the {{variables.area}} module", n: 2 }',
      '  - { id: b, type: git-operation, operation: "${op}", dependencies: [a] }',
    ].join('\n');
    const { definition, findings } = loadDefinitionText(text, 'vars.yml');
    assert.ok(definition, JSON.stringify(findings));
    const a = node(definition, 'a');
    assert.equal(a.instructions, 'Fix billing in billing and billing\n- scope: the billing module\n- n: 2');
    assert.equal(a.timeoutMs, 120_000);
    assert.deepEqual(a.metadata.params, { scope: 'the billing module', n: 2 });
    assert.equal(node(definition, 'b').metadata.operation, 'ship');
    assert.deepEqual(substitute({ x: ['{{variables.n}}', '${n}s'] }, { n: 3 }).value, { x: [3, '3s'] });
  });

  test('an unknown variable is a located warning and stays as written', () => {
    const text = 'steps:\n  - id: a\n    name: "do {{variables.nope}}"\n    type: persona-request\n    persona: planner\n';
    const { definition, findings } = loadDefinitionText(text, 'x.yml');
    assert.ok(definition);
    assert.equal(node(definition, 'a').instructions, 'do {{variables.nope}}');
    const w = findings.find((f) => f.code === 'unknown-variable');
    assert.equal(w?.line, 3);
  });

  test('a timeout that is not seconds and a bad condition are located errors', () => {
    const text = [
      'variables: { t: soon }',
      'steps:',
      '  - { id: a, type: persona-request, persona: planner, timeout: "{{variables.t}}" }',
      '  - { id: b, type: persona-request, persona: planner, dependencies: [a], condition: "task.x ===" }',
    ].join('\n');
    const { findings } = loadDefinitionText(text, 'x.yml');
    assert.deepEqual(
      findings.map((f) => [f.code, f.line]),
      [
        ['step-timeout', 3],
        ['step-condition', 4],
      ],
    );
  });

  test('a parallel step with wait_for: any joins on the first branch', () => {
    const text = [
      'steps:',
      '  - id: p',
      '    type: parallel',
      '    wait_for: any',
      '    steps:',
      '      - { id: x, type: persona-request, persona: qa-engineer }',
      '      - { id: y, type: persona-request, persona: code-reviewer }',
    ].join('\n');
    const { definition } = loadDefinitionText(text, 'x.yml');
    assert.ok(definition);
    assert.deepEqual(node(definition, 'p-done').merge, { fork: 'p', wait: 'first' });
    assert.deepEqual(edges(definition), [
      '^>p:success',
      'p-done>$:success',
      'p>x:success',
      'p>y:success',
      'x>p-done:success',
      'y>p-done:success',
    ]);
  });
});

describe('sub-workflow steps', () => {
  test('type: sub-workflow with workflow: becomes a subworkflow node running that definition', () => {
    const text = [
      'name: outer',
      'variables: { child: review-loop }',
      'steps:',
      '  - { id: plan, type: persona-request, persona: planner }',
      '  - id: review',
      '    type: sub-workflow',
      '    workflow: "{{variables.child}}"',
      '    retries: 1',
      '    dependencies: [plan]',
    ].join('\n');
    const { definition, findings } = loadDefinitionText(text, 'x.yml');
    assert.ok(definition, JSON.stringify(findings));
    assert.deepEqual(
      findings.filter((f) => f.severity === 'error'),
      [],
    );
    const review = node(definition, 'review');
    assert.equal(review.type, 'subworkflow');
    assert.deepEqual(review.subworkflow, { definition: 'review-loop' });
    assert.equal(review.maxAttempts, 2);
    assert.match(review.instructions, /Sub-workflow: review-loop/);
    assert.deepEqual(edges(definition), ['^>plan:success', 'plan>review:success', 'review>$:success']);
  });

  test("the predecessor's SubWorkflowStep with config: { workflow } converts the same; inputs and outputs are located warnings", () => {
    const text = [
      'steps:',
      '  - id: handle',
      '    type: SubWorkflowStep',
      '    config:',
      '      workflow: review-failure-handling',
      '      inputs: { review_type: qa }',
      '      outputs: { created: tasks_created }',
    ].join('\n');
    const { definition, findings } = loadDefinitionText(text, 'x.yml');
    assert.ok(definition, JSON.stringify(findings));
    assert.equal(node(definition, 'handle').type, 'subworkflow');
    assert.deepEqual(node(definition, 'handle').subworkflow, { definition: 'review-failure-handling' });
    assert.deepEqual(
      findings.filter((f) => f.code === 'ignored-key').map((f) => [f.line, f.message]),
      [
        [6, 'step "handle": config.inputs is not read'],
        [7, 'step "handle": config.outputs is not read'],
      ],
    );
  });

  test('a sub-workflow step without a workflow is a located error; workflow: on another step type is a warning', () => {
    const missing =
      'steps:\n  - id: a\n    type: persona-request\n    persona: planner\n  - id: s\n    type: sub-workflow\n    dependencies: [a]\n';
    const bad = loadDefinitionText(missing, 'x.yml');
    assert.equal(bad.definition, undefined);
    const errors = bad.findings.filter((f) => f.severity === 'error');
    assert.deepEqual(
      errors.map((f) => [f.code, f.line]),
      [['step-workflow', 5]],
    );
    assert.match(errors[0]!.message, /sub-workflow step "s" names no workflow/);
    const empty = loadDefinitionText('steps:\n  - id: s\n    type: SubWorkflowStep\n    config: { workflow: "" }\n', 'x.yml');
    assert.deepEqual(
      empty.findings.filter((f) => f.severity === 'error').map((f) => [f.code, f.line]),
      [['step-workflow', 4]],
    );
    const stray = loadDefinitionText('steps:\n  - id: a\n    type: persona-request\n    persona: planner\n    workflow: other\n', 'x.yml');
    assert.ok(stray.definition);
    assert.deepEqual(
      stray.findings.filter((f) => f.code === 'ignored-key').map((f) => f.line),
      [5],
    );
  });

  test("in a catalog, a sub-workflow step's definition is checked like a native node's: present, or missing-subworkflow", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'steps-subwf-'));
    try {
      const child =
        'id: child\nnodes:\n  - { node_key: w, node_type: task, role_required: QA Engineer }\nedges:\n  - { from_node_key: "", to_node_key: w }\n  - { from_node_key: w, to_node_key: "" }\n';
      writeFileSync(path.join(dir, 'child.yaml'), child);
      writeFileSync(path.join(dir, 'ok.yml'), 'name: ok\nsteps:\n  - { id: s, type: sub-workflow, workflow: child }\n');
      writeFileSync(path.join(dir, 'gone.yml'), 'name: gone\nsteps:\n  - { id: s, type: sub-workflow, workflow: nowhere }\n');
      const catalog = loadCatalog([dir]);
      const missing = catalog.findings.filter((f) => f.code === 'missing-subworkflow');
      assert.deepEqual(
        missing.map((f) => path.basename(f.file)),
        ['gone.yml'],
      );
      assert.match(missing[0]!.message, /no definition with id "nowhere"/);
      assert.deepEqual(
        catalog.findings.filter((f) => f.severity === 'error').map((f) => f.code),
        ['missing-subworkflow'],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

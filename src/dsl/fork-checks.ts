/**
 * Parallel fork / merge join. A `parallel` node starts every one of its `success` out-edges at
 * once; the branches meet again at the one `merge` node whose `merge.fork` names the parallel
 * node, which waits for all branches (or the first) and then continues. Pure TS.
 */
import { outEdges, reachableFrom, type CheckContext } from './check-context';
import type { ResolvedNode } from './types';

export function checkForks(ctx: CheckContext): void {
  const out = outEdges(ctx);
  const mergeOf = new Map<string, ResolvedNode>();

  ctx.def.nodes.forEach((node, i) => {
    if (node.type !== 'merge' || ctx.nodes.get(node.key) !== node) return;
    if (!node.merge) {
      ctx.report(
        'error',
        'merge-without-fork',
        ctx.nodePath(node.key),
        `merge node "${node.key}" does not say which fork it joins`,
        'add `merge: { fork: <node_key of the parallel node> }`',
      );
      return;
    }
    const fork = ctx.nodes.get(node.merge.fork);
    if (!fork || fork.type !== 'parallel') {
      const what = fork ? `is a ${fork.type} node, not a parallel node` : 'is not a node of this definition';
      ctx.report(
        'error',
        'merge-without-fork',
        ['nodes', i, 'merge', 'fork'],
        `merge node "${node.key}": fork "${node.merge.fork}" ${what}`,
        'set merge.fork to the node_key of the parallel node whose branches this node joins',
      );
      return;
    }
    const other = mergeOf.get(fork.key);
    if (other) {
      ctx.report(
        'error',
        'duplicate-merge',
        ['nodes', i, 'merge', 'fork'],
        `fork "${fork.key}" is joined twice, by "${other.key}" and "${node.key}"`,
        'keep one merge node per parallel node',
      );
      return;
    }
    mergeOf.set(fork.key, node);
  });

  const targets = (key: string) => (out.get(key) ?? []).map((e) => e.to);
  for (const fork of ctx.nodes.values()) {
    if (fork.type !== 'parallel') continue;
    const branches = (out.get(fork.key) ?? []).filter((e) => e.condition === 'success');
    const merge = mergeOf.get(fork.key);
    if (!merge) {
      ctx.report(
        'error',
        'fork-without-merge',
        ctx.nodePath(fork.key),
        `parallel node "${fork.key}" has no merge node joining its branches`,
        `add a node with \`node_type: merge\` and \`merge: { fork: ${fork.key} }\` where the branches meet`,
      );
    }
    if (branches.length < 2) {
      ctx.report(
        'warning',
        'fork-single-branch',
        ctx.nodePath(fork.key),
        `parallel node "${fork.key}" starts ${branches.length} branch${branches.length === 1 ? '' : 'es'}`,
        'a fork starts each of its success edges at once: add one per branch, or make it a task node',
      );
    }
    if (!merge) continue;
    for (const branch of branches) {
      if (branch.to === '' || !reachableFrom([branch.to], targets).has(merge.key)) {
        ctx.report(
          'error',
          'branch-skips-merge',
          ctx.edgePath(branch.index, 'to_node_key'),
          `${ctx.edgeName(branch)}: this branch of fork "${fork.key}" never reaches its merge "${merge.key}"`,
          `route the branch into "${merge.key}" on success; otherwise the merge waits for it forever`,
        );
      }
    }
  }
}

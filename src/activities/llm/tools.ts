/**
 * The model agent's built-in tools, each confined to the bead's worktree. A tool never throws at
 * the model: bad arguments, a path outside the worktree or an ambiguous edit come back as
 * `{ ok: false, text }` so the model can correct itself. `finish` is declared here but handled
 * by the workflow: it ends the turn.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AGENT_OUTCOMES } from '../../shared/agent';
import type { ToolOutcome, ToolSpec } from '../../shared/agent-loop';
import { LIMITS } from '../../shared/limits';
import type { TurnContext } from '../agents/provider';
import { tailText } from '../agents/output';
import { describeExit, runProcess } from '../agents/run-process';
import { agentPidFile } from '../agents/orphans';
import { tryGit } from '../git/run-git';
import { ToolError, capText, insideWorktree } from './paths';

export { FINISH_TOOL } from '../../interpreter/agent-loop';
import { FINISH_TOOL } from '../../interpreter/agent-loop';

const pathArg = z.string().describe('Path relative to the worktree root');
const schemas = {
  read_file: z.object({ path: pathArg }).strict(),
  list_files: z.object({ path: pathArg.optional() }).strict(),
  search: z.object({ query: z.string().min(1).describe('Literal text to find'), path: pathArg.optional() }).strict(),
  write_file: z.object({ path: pathArg, content: z.string().max(LIMITS.answerChars * 4) }).strict(),
  edit_file: z.object({ path: pathArg, old_text: z.string().min(1), new_text: z.string() }).strict(),
  run_tests: z.object({}).strict(),
  git_diff: z.object({}).strict(),
  finish: z.object({ outcome: z.enum(AGENT_OUTCOMES), summary: z.string() }).strict(),
};
export type BuiltinTool = keyof typeof schemas;

const descriptions: Record<BuiltinTool, string> = {
  read_file: 'Read a text file of the worktree.',
  list_files: 'List the files of the worktree (or of one directory in it), tracked and new.',
  search: 'Find lines containing the literal text (git grep), with file and line number.',
  write_file: 'Create or overwrite a file with the given content.',
  edit_file: 'Replace old_text with new_text in a file; old_text must occur exactly once.',
  run_tests: "Run the repository's test command and see its exit code and output.",
  git_diff: 'Show what this turn has changed so far (diff against the start of the turn, and new files).',
  finish: 'End your turn: outcome (success or failure for tasks; approved or rejected for reviews) and a summary of what you did.',
};

export const BUILTIN_TOOLS: ToolSpec[] = (Object.keys(schemas) as BuiltinTool[]).map((name) => ({
  name,
  description: descriptions[name],
  inputSchema: z.toJSONSchema(schemas[name]) as Record<string, unknown>,
  source: 'builtin',
}));

export function isBuiltin(name: string): name is BuiltinTool {
  return Object.prototype.hasOwnProperty.call(schemas, name);
}

export interface ToolRun {
  worktree?: string;
  testCommand?: string[];
  timeoutMs?: number;
  /** The environment commands run with (scrubbed of keys by the caller). */
  env: NodeJS.ProcessEnv;
  ctx: TurnContext;
}

export async function runBuiltinTool(name: BuiltinTool, input: unknown, run: ToolRun): Promise<ToolOutcome> {
  const parsed = schemas[name].safeParse(input ?? {});
  if (!parsed.success) return { ok: false, text: argumentError(name, parsed.error) };
  try {
    if (name === FINISH_TOOL) return { ok: true, text: 'finished' };
    if (!run.worktree) return { ok: false, text: 'this turn has no worktree: the bead has no repository, so no file can be used' };
    const text = await handlers[name](parsed.data as never, run.worktree, run);
    return toOutcome(text);
  } catch (err) {
    if (err instanceof ToolError) return { ok: false, text: err.message };
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, text: `no such file: ${(input as { path?: string }).path ?? ''}` };
    if (code === 'EISDIR') return { ok: false, text: `${(input as { path?: string }).path ?? ''} is a directory: use list_files` };
    return { ok: false, text: `${name} failed: ${(err as Error).message}` };
  }
}

function toOutcome(text: string): ToolOutcome {
  const capped = capText(text, LIMITS.toolResultChars);
  return { ok: true, text: capped.text, ...(capped.truncated ? { truncated: true } : {}) };
}

type Handler<T extends BuiltinTool> = (args: z.infer<(typeof schemas)[T]>, root: string, run: ToolRun) => Promise<string>;

const handlers: { [T in Exclude<BuiltinTool, 'finish'>]: Handler<T> } = {
  async read_file({ path: rel }, root) {
    return readFile(insideWorktree(root, rel), 'utf8');
  },
  async list_files({ path: rel }, root) {
    const where = rel ? path.relative(root, insideWorktree(root, rel)) || '.' : '.';
    const listed = await tryGit(root, ['ls-files', '--cached', '--others', '--exclude-standard', '--', where]);
    if (listed.code !== 0) throw new ToolError(`cannot list ${where}: ${listed.stderr.trim()}`);
    return listed.stdout.trim() || `(no files under ${where})`;
  },
  async search({ query, path: rel }, root) {
    const where = rel ? path.relative(root, insideWorktree(root, rel)) || '.' : '.';
    const found = await tryGit(root, ['grep', '-n', '-I', '-F', '--untracked', '-e', query, '--', where]);
    if (found.code === 1) return `no line contains "${query}"`;
    if (found.code !== 0) throw new ToolError(`search failed: ${found.stderr.trim()}`);
    return found.stdout;
  },
  async write_file({ path: rel, content }, root) {
    const target = insideWorktree(root, rel);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
    return `wrote ${rel} (${Buffer.byteLength(content)} bytes)`;
  },
  async edit_file({ path: rel, old_text, new_text }, root) {
    const target = insideWorktree(root, rel);
    const text = await readFile(target, 'utf8');
    const first = text.indexOf(old_text);
    if (first < 0) throw new ToolError(`old_text does not occur in ${rel}: read the file and copy the exact text, whitespace included`);
    if (text.indexOf(old_text, first + 1) >= 0)
      throw new ToolError(`old_text occurs more than once in ${rel}: include more surrounding lines so it is unique`);
    await writeFile(target, text.slice(0, first) + new_text + text.slice(first + old_text.length));
    return `edited ${rel}`;
  },
  async run_tests(_args, root, run) {
    const command = run.testCommand;
    if (!command?.length) throw new ToolError('no test command is configured: the node or `defaults:` sets test_command (argv)');
    const outcome = await runProcess(
      {
        command: command[0],
        args: command.slice(1),
        cwd: root,
        env: run.env,
        timeoutMs: run.timeoutMs,
        tailLines: 200,
        label: 'run_tests',
        pidFile: agentPidFile(root),
      },
      run.ctx,
    );
    const how = outcome.ended === 'timed_out' ? `timed out after ${Math.round(outcome.durationMs / 1000)}s` : describeExit(outcome);
    const passed = outcome.ended === 'exited' && outcome.exitCode === 0;
    return `${command.join(' ')}: ${passed ? 'passed' : 'FAILED'} (${how})\n${tailText(outcome.tail, LIMITS.toolResultChars)}`;
  },
  async git_diff(_args, root) {
    const diff = await tryGit(root, ['diff', 'HEAD', '--no-color']);
    const untracked = await tryGit(root, ['ls-files', '--others', '--exclude-standard']);
    const added = untracked.stdout.trim();
    const parts = [diff.stdout.trim() || '(no changes to tracked files)'];
    if (added) parts.push(`New files:\n${added}`);
    return parts.join('\n\n');
  },
};

function argumentError(name: string, error: z.ZodError): string {
  const problems = error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'arguments'}: ${i.message}`).join('; ');
  return `the arguments of ${name} do not fit its schema (${problems}); call it again with ${JSON.stringify(
    Object.keys((z.toJSONSchema(schemas[name as BuiltinTool]) as { properties?: object }).properties ?? {}),
  )}`;
}

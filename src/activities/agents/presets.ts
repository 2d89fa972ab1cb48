/**
 * Agent presets: how the `command` provider drives a real coding CLI (Claude Code, Codex, aider,
 * opencode). A preset knows the tool's executable, the arguments of a headless, non-interactive
 * run that leaves committing to beadflow, whether the prompt goes on stdin or as an argument, and
 * how to read the tool's output: a beadflow answer in its final text wins; otherwise the tool's
 * own verdict (and its exit code) decides, with its final message as the summary.
 */
import { LIMITS } from '../../shared/limits';
import { malformedResult } from '../errors';
import type { AgentAnswer } from '../../shared/answer';
import { cutSummary, parseAnswer } from '../../shared/answer';

export interface AgentPreset {
  name: string;
  /** What the tool is, for help texts and docs. */
  description: string;
  /** Executable looked up on PATH (--agent-command / BEADFLOW_AGENT_COMMAND replace it). */
  executable: string;
  /** `stdin`: the prompt is written to stdin; `argument`: it is an element of argv (never a shell string). */
  promptVia: 'stdin' | 'argument';
  /** argv after the executable; `extra` are the operator's --agent-arg values. */
  args(prompt: string, extra?: readonly string[]): string[];
  /** Environment the tool reads (documentation and hints only; the worker's environment is passed on). */
  env: readonly string[];
  /** The tool's stdout (its end, at most LIMITS.answerChars) and exit code → the turn's answer. Throws MalformedAgentResult for a broken beadflow answer. */
  parse(stdout: string, exitCode: number | null): AgentAnswer;
}

/** Claude Code: `claude -p --output-format json`, one JSON result object ({type: "result", subtype, is_error, result}). */
const claude: AgentPreset = {
  name: 'claude',
  description: 'Claude Code (claude -p --output-format json)',
  executable: 'claude',
  promptVia: 'stdin',
  // --disallowedTools is variadic: it comes first, so the options after it (and the operator's) end its list.
  args: (_prompt, extra = []) => [
    '-p',
    '--disallowedTools',
    'Bash(git commit:*)',
    'Bash(git push:*)',
    '--output-format',
    'json',
    '--permission-mode',
    'acceptEdits',
    ...extra,
  ],
  env: ['ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'ANTHROPIC_MODEL'],
  parse(stdout, exitCode) {
    const result = claudeResult(stdout);
    if (!result) return fallback('claude', stdout, exitCode);
    const text = typeof result.result === 'string' ? result.result.trim() : '';
    const answer = embeddedAnswer('claude', text);
    if (answer) return answer;
    const subtype = typeof result.subtype === 'string' ? result.subtype : undefined;
    const failed = result.is_error === true || (subtype !== undefined && subtype !== 'success') || exitCode !== 0;
    if (!failed) return { outcome: 'success', summary: cutSummary(text || 'claude finished (no final message)') };
    const why = [subtype && subtype !== 'success' ? subtype : undefined, result.is_error === true ? 'is_error' : undefined]
      .filter(Boolean)
      .join(', ');
    return { outcome: 'failure', summary: cutSummary(`claude reported failure${why ? ` (${why})` : ''}${text ? `: ${text}` : ''}`) };
  },
};

function claudeResult(stdout: string): Record<string, unknown> | undefined {
  const isResult = (v: unknown): v is Record<string, unknown> => isObject(v) && v.type === 'result';
  const whole = tryJson(stdout.trim());
  if (isResult(whole)) return whole;
  // With --verbose the JSON output is the array of every message, the result last.
  if (Array.isArray(whole)) return whole.filter(isResult).pop();
  return jsonLines(stdout).filter(isResult).pop();
}

/** Codex: `codex exec --json`, JSONL events; the last agent_message item is the final message. */
const codex: AgentPreset = {
  name: 'codex',
  description: 'OpenAI Codex CLI (codex exec --json)',
  executable: 'codex',
  promptVia: 'stdin',
  // `-` (last): read the prompt from stdin.
  args: (_prompt, extra = []) => ['exec', '--json', '--full-auto', '--skip-git-repo-check', '--color', 'never', ...extra, '-'],
  env: ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'CODEX_HOME'],
  parse(stdout, exitCode) {
    const events = jsonLines(stdout);
    if (!events.length) return fallback('codex', stdout, exitCode);
    let message = '';
    let error = '';
    let ended: 'completed' | 'failed' | undefined;
    for (const e of events) {
      const item = isObject(e.item) ? e.item : undefined;
      const msg = isObject(e.msg) ? e.msg : undefined; // the event format of codex before 0.44
      if (e.type === 'item.completed' && item?.type === 'agent_message' && typeof item.text === 'string') message = item.text;
      else if (e.type === 'turn.completed') ended = 'completed';
      else if (e.type === 'turn.failed') {
        ended = 'failed';
        error = errorText(e.error) || error;
      } else if (e.type === 'error') error = errorText(e) || error;
      else if (msg?.type === 'agent_message' && typeof msg.message === 'string') message = msg.message;
      else if (msg?.type === 'task_complete') {
        ended = 'completed';
        if (typeof msg.last_agent_message === 'string' && msg.last_agent_message) message = msg.last_agent_message;
      } else if (msg?.type === 'error' || msg?.type === 'stream_error') error = errorText(msg) || error;
    }
    const answer = embeddedAnswer('codex', message);
    if (answer) return answer;
    if (exitCode === 0 && ended !== 'failed')
      return { outcome: 'success', summary: cutSummary(message.trim() || 'codex finished (no final message)') };
    const why = error || (exitCode === 0 ? 'turn failed' : `exited ${exitCode ?? '?'}`);
    return { outcome: 'failure', summary: cutSummary(`codex reported failure: ${why}${message.trim() ? `\n${message.trim()}` : ''}`) };
  },
};

/** aider: one --message and exit; plain text output, no commits of its own. */
const aider: AgentPreset = {
  name: 'aider',
  description: 'aider (aider --message, no auto-commits)',
  executable: 'aider',
  promptVia: 'argument',
  // --message=<prompt> in one element: a prompt starting with "-" is never taken for an option.
  args: (prompt, extra = []) => [
    '--yes-always',
    '--no-auto-commits',
    '--no-dirty-commits',
    '--no-gitignore',
    '--no-pretty',
    '--no-stream',
    '--no-check-update',
    '--no-show-model-warnings',
    ...extra,
    `--message=${prompt}`,
  ],
  env: ['OPENAI_API_KEY', 'OPENAI_API_BASE', 'ANTHROPIC_API_KEY', 'AIDER_MODEL'],
  parse: (stdout, exitCode) => fallback('aider', aiderText(stdout), exitCode),
};

/** aider's own status lines (banner, token counts) are not the agent's message. */
const AIDER_NOISE =
  /^(Aider v\d|Main model:|Weak model:|Editor model:|Model:|Git repo:|Repo-map:|Added .* to the chat|Tokens: |Cost: |Use \/help|Warning: |https?:\/\/aider\.chat)/;

function aiderText(stdout: string): string {
  return stdout
    .split('\n')
    .filter((line) => !AIDER_NOISE.test(line.trim()))
    .join('\n')
    .trim();
}

/** opencode: `opencode run --format json`, JSONL events; the last text part is the final message. */
const opencode: AgentPreset = {
  name: 'opencode',
  description: 'opencode (opencode run --format json)',
  executable: 'opencode',
  promptVia: 'argument',
  // `--` ends the options: the prompt is the message whatever it starts with.
  args: (prompt, extra = []) => ['run', '--format', 'json', ...extra, '--', prompt],
  env: ['OPENCODE_CONFIG', 'ANTHROPIC_API_KEY', 'OPENAI_API_KEY'],
  parse(stdout, exitCode) {
    const events = jsonLines(stdout).filter((e) => typeof e.type === 'string');
    if (!events.length) return fallback('opencode', stdout, exitCode);
    let message = '';
    let error = '';
    for (const e of events) {
      const part = isObject(e.part) ? e.part : undefined;
      if (e.type === 'text' && typeof part?.text === 'string') message = part.text;
      else if (e.type === 'error') error = errorText(e.error) || 'error';
    }
    const answer = embeddedAnswer('opencode', message);
    if (answer) return answer;
    if (exitCode === 0 && !error)
      return { outcome: 'success', summary: cutSummary(message.trim() || 'opencode finished (no final message)') };
    const why = error || `exited ${exitCode ?? '?'}`;
    return { outcome: 'failure', summary: cutSummary(`opencode reported failure: ${why}${message.trim() ? `\n${message.trim()}` : ''}`) };
  },
};

export const AGENT_PRESETS: Readonly<Record<string, AgentPreset>> = { claude, codex, aider, opencode };
export const PRESET_NAMES = Object.keys(AGENT_PRESETS);

export function findPreset(name: string): AgentPreset | undefined {
  return Object.hasOwn(AGENT_PRESETS, name) ? AGENT_PRESETS[name] : undefined;
}

/**
 * A beadflow answer inside a tool's final text: the last JSON object in it with an "outcome" key
 * (alone, fenced, or after some prose). One that breaks the answer contract is malformed.
 */
export function embeddedAnswer(tool: string, text: string): AgentAnswer | undefined {
  const candidate = lastAnswerObject(text);
  if (candidate === undefined) return undefined;
  const parsed = parseAnswer(candidate);
  if (!parsed.ok) throw malformedResult(tool, `answer in the final message: ${parsed.reason}`);
  return parsed.answer;
}

/** The source text of the last JSON object with an "outcome" key, searched near the end only. */
function lastAnswerObject(text: string): string | undefined {
  const window = text.length > 4 * LIMITS.summaryChars ? text.slice(text.length - 4 * LIMITS.summaryChars) : text;
  let i = window.length;
  for (let tries = 0; tries < 200 && i > 0; tries++) {
    i = window.lastIndexOf('{', i - 1);
    if (i < 0) break;
    const end = objectEnd(window, i);
    if (end === undefined) continue;
    const source = window.slice(i, end);
    const value = tryJson(source);
    if (isObject(value) && 'outcome' in value) return source;
  }
  return undefined;
}

/** Index just past the object that opens at `start` (strings and escapes respected), if it closes. */
function objectEnd(text: string, start: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  return undefined;
}

/** No structured output to read: an answer in the text, else the exit code decides; the text's end is the summary. */
function fallback(tool: string, text: string, exitCode: number | null): AgentAnswer {
  const answer = embeddedAnswer(tool, text);
  if (answer) return answer;
  const trimmed = text.trim();
  const max = LIMITS.summaryChars;
  const tail = trimmed.length > max ? `…${trimmed.slice(trimmed.length - max)}` : trimmed;
  if (exitCode === 0) return { outcome: 'success', summary: tail || `${tool} exited 0 (no output)` };
  return { outcome: 'failure', summary: `${tool} exited ${exitCode ?? '?'}${tail ? `:\n${tail}` : ''}` };
}

function jsonLines(text: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    const v = tryJson(t);
    if (isObject(v)) out.push(v);
  }
  return out;
}

function errorText(e: unknown): string {
  if (typeof e === 'string') return e;
  if (!isObject(e)) return '';
  if (typeof e.message === 'string') return e.message;
  if (isObject(e.data) && typeof e.data.message === 'string') return e.data.message;
  if (typeof e.name === 'string') return e.name;
  return '';
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Which MCP servers the model agent may draw tools from: `mcp_servers:` of beadflow.config.yaml
 * plus BEADFLOW_MCP_SERVERS (JSON, same shape). Read and checked once when a worker starts, so a
 * misconfigured server stops the worker with a message naming the file and the server instead of
 * failing turns later.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { BeadflowError } from '../../shared/errors';

export interface McpServerConfig {
  name: string;
  /** stdio servers: the executable and its arguments, run with `env` added to a minimal environment. */
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Streamable-HTTP servers. */
  url?: string;
  headers?: Record<string, string>;
  /** Role names (any spelling of a role); absent = every role. */
  roles?: string[];
}

export const CONFIG_FILE = 'beadflow.config.yaml';
const ENV_VAR = 'BEADFLOW_MCP_SERVERS';

// YAML turns `PORT: 8080` into a number; environment variables and headers are strings anyway.
const scalarString = z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string' }).transform(String);
const stringMap = z.record(z.string(), scalarString, { error: 'must be a map of name: value' });

const serverSchema = z.strictObject(
  {
    command: z.string({ error: 'must be a string' }).trim().min(1, { error: 'must not be empty' }).optional(),
    args: z.array(scalarString, { error: 'must be a list of strings' }).optional(),
    env: stringMap.optional(),
    cwd: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).optional(),
    url: z
      .string({ error: 'must be a string' })
      .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), { error: 'must be an http:// or https:// URL' })
      .optional(),
    headers: stringMap.optional(),
    roles: z
      .union(
        [
          z
            .string()
            .min(1)
            .transform((r) => [r]),
          z.array(z.string().min(1)),
        ],
        { error: 'must be a list of role names' },
      )
      .optional(),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? undefined : 'must be a map of settings (command or url, ...)') },
);

/** Reads the servers from the config file (if there is one) and the environment; the environment wins per server name. */
export function loadMcpServers(opts: { file?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): McpServerConfig[] {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const file = path.resolve(cwd, opts.file ?? env.BEADFLOW_CONFIG ?? CONFIG_FILE);
  const byName = new Map<string, McpServerConfig>();
  if (existsSync(file)) {
    let doc: unknown;
    try {
      doc = parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw configError(file, `not valid YAML: ${(err as Error).message}`);
    }
    if (doc !== null && doc !== undefined && !isMap(doc)) throw configError(file, 'the config file must be a map (mcp_servers: ...)');
    const section = isMap(doc) ? doc.mcp_servers : undefined;
    for (const s of parseMcpServers(section, file, path.dirname(file))) byName.set(s.name, s);
  }
  const json = env[ENV_VAR]?.trim();
  if (json) {
    let raw: unknown;
    try {
      raw = JSON.parse(json);
    } catch (err) {
      throw configError(ENV_VAR, `not valid JSON: ${(err as Error).message}`);
    }
    for (const s of parseMcpServers(raw, ENV_VAR, cwd)) byName.set(s.name, s);
  }
  return [...byName.values()];
}

/**
 * Checks a `mcp_servers` map (server name → settings). `source` names the file or variable in
 * errors; a relative `cwd` is taken from `baseDir` (the config file's directory).
 */
export function parseMcpServers(raw: unknown, source: string, baseDir = process.cwd()): McpServerConfig[] {
  if (raw === null || raw === undefined) return [];
  if (!isMap(raw)) throw configError(source, 'mcp_servers must be a map of server name → settings (command or url)');
  const servers: McpServerConfig[] = [];
  for (const [name, value] of Object.entries(raw)) {
    const where = `MCP server "${name}"`;
    if (!name.trim()) throw configError(source, 'an MCP server has an empty name');
    const parsed = serverSchema.safeParse(value);
    if (!parsed.success) throw configError(source, `${where}: ${describeIssues(parsed.error.issues)}`);
    const s = parsed.data;
    if (s.command && s.url) throw configError(source, `${where} has both command and url; give one (command: stdio, url: HTTP)`);
    if (!s.command && !s.url) throw configError(source, `${where} has neither command nor url; give one (command: stdio, url: HTTP)`);
    const misplaced = s.url ? (['args', 'env', 'cwd'] as const).filter((k) => s[k] !== undefined) : s.headers ? ['headers'] : [];
    if (misplaced.length) {
      const verb = misplaced.length > 1 ? 'apply' : 'applies';
      throw configError(
        source,
        `${where}: ${misplaced.join(', ')} ${verb} to ${s.url ? 'command servers, not url' : 'url servers, not command'} ones`,
      );
    }
    servers.push({
      name,
      ...(s.command !== undefined && { command: s.command }),
      ...(s.args !== undefined && { args: s.args }),
      ...(s.env !== undefined && { env: s.env }),
      ...(s.cwd !== undefined && { cwd: path.resolve(baseDir, s.cwd) }),
      ...(s.url !== undefined && { url: s.url }),
      ...(s.headers !== undefined && { headers: s.headers }),
      ...(s.roles !== undefined && { roles: s.roles }),
    });
  }
  return servers;
}

function describeIssues(issues: z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 3)
    .map((iss) => {
      const at = iss.path.map(String).join('.');
      if (iss.code === 'unrecognized_keys') {
        return `unknown setting${iss.keys.length > 1 ? 's' : ''} ${iss.keys.join(', ')} (known: ${Object.keys(serverSchema.shape).join(', ')})`;
      }
      return at ? `${at} ${iss.message}` : iss.message;
    })
    .join('; ');
}

function configError(source: string, what: string): BeadflowError {
  return new BeadflowError(`${source}: ${what}`, {
    kind: 'usage',
    hint: `each entry of mcp_servers is "<name>: { command, args, env, cwd, roles }" (stdio) or "<name>: { url, headers, roles }" (HTTP)`,
  });
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

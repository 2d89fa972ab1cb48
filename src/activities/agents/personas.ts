/**
 * Personas: one Markdown system prompt per role, `personas/<role-slug>.md`. A node's
 * `persona_hint` ("default/qa-engineer", "QA") picks one; else its role does; else a generic line.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { roleSlug } from '../../shared/roles';

/** role slug → system prompt. */
export type Personas = ReadonlyMap<string, string>;

export const DEFAULT_PERSONAS_DIR = path.resolve(__dirname, '../../../personas');

export function loadPersonas(dir: string = DEFAULT_PERSONAS_DIR): Personas {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`personas directory ${dir} does not exist. Hint: pass --personas DIR with <role-slug>.md files, e.g. qa-engineer.md`);
  }
  const personas = new Map<string, string>();
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.md')) continue;
    personas.set(roleSlug(file.slice(0, -3)), readFileSync(path.join(dir, file), 'utf8').trim());
  }
  return personas;
}

export interface ChosenPersona {
  /** Which persona file answered ("" = the generic fallback). */
  slug: string;
  text: string;
}

export function personaFor(node: { role: string; personaHint?: string }, personas: Personas): ChosenPersona {
  for (const name of [node.personaHint, node.role]) {
    if (!name || !name.trim()) continue;
    const slug = roleSlug(name);
    const text = personas.get(slug);
    if (text) return { slug, text };
  }
  const who = node.role || 'team member';
  return { slug: '', text: `You are the ${who} on a software team. Work carefully, say what you did and why.` };
}

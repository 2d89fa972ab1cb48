/**
 * definitions/schema.json, generated from the zod model so the editor schema and the loader
 * never disagree. `npm run schema` writes it; a unit test checks the committed file is fresh.
 */
import path from 'node:path';
import { z } from 'zod';
import { definitionSchema } from './schema';

export const SCHEMA_FILE = path.resolve(__dirname, '../../definitions/schema.json');

export function renderJsonSchema(): string {
  // draft-07: the newest draft every YAML language server understands. Input view: optional
  // keys stay optional (defaults are applied by the loader, not by the editor).
  const schema = z.toJSONSchema(definitionSchema, { target: 'draft-07', io: 'input' });
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/**
 * The search attributes beadflow registers on the Temporal server and upserts from workflow code,
 * so the Web UI can filter beads (`BeadStatus = "escalated"`, `RequiredRole = "qa-engineer"`).
 * Pure: safe to import from workflow code, the CLI, the dev-server launcher and tests alike.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const BEAD_ID = defineSearchAttributeKey('BeadId', SearchAttributeType.KEYWORD);
export const BEAD_TYPE = defineSearchAttributeKey('BeadType', SearchAttributeType.KEYWORD);
export const BEAD_STATUS = defineSearchAttributeKey('BeadStatus', SearchAttributeType.KEYWORD);
export const CURRENT_NODE = defineSearchAttributeKey('CurrentNode', SearchAttributeType.KEYWORD);
export const REQUIRED_ROLE = defineSearchAttributeKey('RequiredRole', SearchAttributeType.KEYWORD);

/** Every key, in registration order. Pass to `createLocal({ server: { searchAttributes } })`. */
export const BEAD_SEARCH_ATTRIBUTES = [BEAD_ID, BEAD_TYPE, BEAD_STATUS, CURRENT_NODE, REQUIRED_ROLE] as const;

export const BEAD_SEARCH_ATTRIBUTE_NAMES: readonly string[] = BEAD_SEARCH_ATTRIBUTES.map((k) => k.name);

/** The Temporal CLI spelling of a type (`--search-attribute Name=Keyword`). */
const CLI_TYPE_NAMES: Record<SearchAttributeType, string> = {
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

/** `["--search-attribute", "BeadId=Keyword", ...]` for `temporal server start-dev`. */
export function searchAttributeCliArgs(
  keys: ReadonlyArray<{ name: string; type: SearchAttributeType }> = BEAD_SEARCH_ATTRIBUTES,
): string[] {
  return keys.flatMap((k) => ['--search-attribute', `${k.name}=${CLI_TYPE_NAMES[k.type]}`]);
}

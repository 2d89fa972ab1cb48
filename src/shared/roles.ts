/**
 * Role names → canonical roles and task-queue slugs. Pure: used by workers, the CLI and workflow
 * code alike. Loom matched roles by exact string, so "QA" never reached "QA Engineer"; here every
 * spelling a definition or operator might use resolves through one alias table.
 */
export const KNOWN_ROLES = [
  'CEO',
  'Product Manager',
  'Engineering Manager',
  'QA Engineer',
  'Web Designer',
  'Code Reviewer',
  'Software Engineer',
  'DevOps Engineer',
] as const;

const ALIASES: Record<string, string> = {
  qa: 'qa-engineer',
  tester: 'qa-engineer',
  pm: 'product-manager',
  em: 'engineering-manager',
  'eng-manager': 'engineering-manager',
  designer: 'web-designer',
  'ui-designer': 'web-designer',
  reviewer: 'code-reviewer',
  engineer: 'software-engineer',
  developer: 'software-engineer',
  devops: 'devops-engineer',
  sre: 'devops-engineer',
  'chief-executive-officer': 'ceo',
  'quality-assurance': 'qa-engineer',
  'qa-engineers': 'qa-engineer',
  'backend-engineer': 'software-engineer',
  'frontend-engineer': 'software-engineer',
  'backend-developer': 'software-engineer',
  'frontend-developer': 'software-engineer',
  'full-stack-engineer': 'software-engineer',
  // The step format's personas, mapped onto the roles that do that work here.
  planner: 'engineering-manager',
  'implementation-planner': 'engineering-manager',
  'plan-evaluator': 'engineering-manager',
  'lead-engineer': 'software-engineer',
  'documentation-writer': 'software-engineer',
  'security-review': 'code-reviewer',
  'performance-reviewer': 'code-reviewer',
};

export const WORKFLOW_TASK_QUEUE = 'beadflow';
export const ROLE_QUEUE_PREFIX = 'beadflow-role-';

/** "QA Engineer", "qa_engineer", "default/qa-engineer", "QA" → "qa-engineer". */
export function roleSlug(role: string): string {
  // "default/qa-engineer/" names the same role as "qa-engineer": the last non-empty path part counts.
  const base =
    role
      .trim()
      .split('/')
      .filter((part) => part.trim())
      .pop() ?? '';
  const slug = base
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return ALIASES[slug] ?? slug;
}

const BY_SLUG = new Map<string, string>(KNOWN_ROLES.map((r) => [roleSlug(r), r]));

/** Canonical display name for a known role, or undefined. */
export function canonicalRole(role: string): string | undefined {
  return BY_SLUG.get(roleSlug(role));
}

export function isKnownRole(role: string): boolean {
  return BY_SLUG.has(roleSlug(role));
}

export function roleTaskQueue(role: string, prefix = ROLE_QUEUE_PREFIX): string {
  return `${prefix}${roleSlug(role)}`;
}

/** Same person or role, whatever the spelling. */
export function sameRole(a: string, b: string): boolean {
  return roleSlug(a) === roleSlug(b);
}

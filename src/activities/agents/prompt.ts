/**
 * The prompt of one turn: persona (system) + the node's instructions + the bead + the story so
 * far + the last rejection's feedback + redispatch context + the answer format. Command agents
 * get `text` on stdin; chat models get `system` and `user` as two messages.
 */
import type { AgentTurnInput } from '../../shared/agent';
import { ANSWER_FORMAT, FOLLOW_UPS_FORMAT } from '../../shared/answer';
import type { Personas } from './personas';
import { personaFor } from './personas';

export interface TurnPrompt {
  system: string;
  user: string;
  /** system and user in one text. */
  text: string;
  /** Which persona file was used ("" = generic). */
  persona: string;
}

export function buildPrompt(input: AgentTurnInput, personas: Personas, opts: { followUps?: boolean } = {}): TurnPrompt {
  const persona = personaFor(input.node, personas);
  const { bead, node } = input;
  const sections: string[] = [];
  sections.push(
    `# Your task: node "${node.key}" (${node.type}) as ${node.role || 'agent'}` +
      ` (attempt ${input.attempt}, dispatch ${input.dispatch})\n\n${node.instructions.trim() || '(no instructions: use your judgement)'}`,
  );
  sections.push(
    `# The bead ${input.beadId}\n\nTitle: ${bead.title}\nType: ${bead.type}\nPriority: ${bead.priority}` +
      (bead.labels.length ? `\nLabels: ${bead.labels.join(', ')}` : '') +
      `\n\n${bead.description.trim() || '(no description)'}`,
  );
  if (input.historySummary.length)
    sections.push(`# What happened so far (oldest first)\n\n${input.historySummary.map((l) => `- ${l}`).join('\n')}`);
  if (input.feedback) sections.push(`# Feedback from the last rejection: address it\n\n${input.feedback}`);
  if (input.context.length) {
    sections.push(
      `# Earlier dispatches of this attempt handed it back with\n\n${input.context.map((c, i) => `${i + 1}. ${c}`).join('\n')}`,
    );
  }
  if (input.worktree) sections.push(`# Workspace\n\nThe bead's git worktree is ${input.worktree} (your working directory).`);
  sections.push(`# Answer\n\n${ANSWER_FORMAT}${opts.followUps ? `\n${FOLLOW_UPS_FORMAT}` : ''}`);
  const user = sections.join('\n\n');
  return { system: persona.text, user, text: `${persona.text}\n\n${user}\n`, persona: persona.slug };
}

/** Commit messages beadflow writes: the bead's title as the subject, trailers that name the bead. */

/** A title as one commit-subject line: control characters shown escaped, never dropped; bounded. */
export function sanitizeSubject(title: string, max = 200): string {
  const line = title.split(/\r?\n/)[0] ?? '';
  // eslint-disable-next-line no-control-regex
  const shown = line.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).trim();
  return shown.length > max ? `${shown.slice(0, max - 1)}…` : shown;
}

/** The landing commit's message: subject = title, then the trailers `Bead-Id` and `Bead-Node`. */
export function commitMessage(input: { beadId: string; title: string; node: string }): string {
  const subject = sanitizeSubject(input.title) || input.beadId;
  return `${subject}\n\nBead-Id: ${input.beadId}\nBead-Node: ${input.node}\n`;
}

/**
 * What the interpreter accepted and the shell has yet to apply: a decision due on a cursor, or an
 * override (`OVERRIDE_DUE`). Message handlers fill it from their Receipts; the waits wake on it.
 * Shell-side only: the accepted message itself stays in the interpreter's state, so a run that
 * continues as new applies it on resume.
 */
export class Inbox {
  private readonly due = new Set<string>();

  add(key: string | undefined): void {
    if (key) this.due.add(key);
  }

  has(key: string): boolean {
    return this.due.has(key);
  }

  /** Removes the key; true when it was there. */
  take(key: string): boolean {
    return this.due.delete(key);
  }
}

/**
 * The notes folder: files an agent keeps for the bead's later turns (plans, findings, scratch)
 * without landing them. They travel on the bead's ref like any work, and the commit node leaves
 * them out of what it pushes to the target.
 */
export const NOTES_DIR = '.beadflow/notes';

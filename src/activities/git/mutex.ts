/** One holder at a time per key within this process (a worktree used by one activity at a time). */
const tails = new Map<string, Promise<void>>();

export async function acquire(key: string): Promise<() => void> {
  const previous = tails.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => mine);
  tails.set(key, tail);
  await previous;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    release();
    if (tails.get(key) === tail) tails.delete(key);
  };
}

export function isHeld(key: string): boolean {
  return tails.has(key);
}

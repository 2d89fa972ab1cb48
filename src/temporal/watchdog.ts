/**
 * A child process that must not outlive us, whatever kills us: Node has no parent-death signal,
 * and SIGKILL runs no exit handler. A tiny detached `sh` loop watches both pids and, once we are
 * gone while the child still runs, sends it SIGTERM and, after a grace period, SIGKILL. It ends by
 * itself when the child ends first.
 */
import { spawn } from 'node:child_process';

export interface WatchdogOptions {
  /** The process whose death ends the child (default: this one). */
  parentPid?: number;
  /** Between SIGTERM and SIGKILL. */
  graceSeconds?: number;
  /** How often the watchdog looks. */
  pollSeconds?: number;
  /** The child leads a process group: signal the whole group (an agent and everything it started). */
  group?: boolean;
}

/** The watchdog's shell script; `$1` parent pid, `$2` child pid (or `-pgid` for a group), `$3` grace, `$4` poll interval. */
export const WATCHDOG_SCRIPT = [
  'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep "$4"; done',
  'kill -0 "$2" 2>/dev/null || exit 0',
  'kill -TERM "$2" 2>/dev/null',
  'i=0; while [ "$i" -lt "$3" ] && kill -0 "$2" 2>/dev/null; do sleep 1; i=$((i+1)); done',
  'kill -KILL "$2" 2>/dev/null; exit 0',
].join('\n');

/** Starts the watchdog for `childPid`; returns a function that stops it (when we end the child ourselves). */
export function killWhenParentDies(childPid: number, opts: WatchdogOptions = {}): () => void {
  const target = opts.group ? `-${childPid}` : String(childPid);
  const args = [String(opts.parentPid ?? process.pid), target, String(opts.graceSeconds ?? 10), String(opts.pollSeconds ?? 1)];
  // Own process group: a terminal's Ctrl-C or a kill of our group does not take the watchdog down first.
  const dog = spawn('sh', ['-c', WATCHDOG_SCRIPT, 'beadflow-watchdog', ...args], { stdio: 'ignore', detached: true });
  dog.on('error', () => undefined);
  dog.unref();
  return () => {
    if (dog.exitCode === null && dog.signalCode === null) dog.kill('SIGKILL');
  };
}

import { randomBytes } from 'node:crypto';

/** `bf-` + 10 lowercase base-32 characters: short enough to type, unique enough to never collide. */
export function newBeadId(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  return `bf-${[...randomBytes(10)].map((b) => alphabet[b % alphabet.length]).join('')}`;
}

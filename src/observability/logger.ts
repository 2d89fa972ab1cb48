/**
 * One structured logger for the worker, the CLI and activities (pino): JSON lines when stdout is
 * not a terminal (collectors, files, tests), pino-pretty when a person watches. The Temporal SDK's
 * logger (workers, activities' `Context.log`, workflows' `log`, and Core's forwarded logs) is
 * routed through it by {@link SdkLogger}.
 *
 *   BEADFLOW_LOG_LEVEL   trace | debug | info (default) | warn | error | silent   (--log-level)
 *   BEADFLOW_LOG_FORMAT  json | pretty (default: pretty on a terminal, else json)
 *   BEADFLOW_LOG_FILE    append log lines to this file instead of stdout (always JSON)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import pino from 'pino';
import type { DestinationStream, Logger as Pino } from 'pino';
import pretty from 'pino-pretty';
import type { LogLevel as SdkLogLevel, LogMetadata, Logger as SdkLoggerInterface } from '@temporalio/common';
import { BeadflowError } from '../shared/errors';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = 'json' | 'pretty';

export interface LoggerSettings {
  level: LogLevel;
  format: LogFormat;
  /** Lines go to this file (appended) instead of stdout. */
  file?: string;
  /** Write to stderr instead of stdout (the CLI: stdout is the command's answer). */
  stderr?: boolean;
}

export function parseLogLevel(text: string | undefined, fallback: LogLevel = 'info'): LogLevel {
  if (text === undefined || text === '') return fallback;
  const level = text.trim().toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  throw new BeadflowError(`log level "${text}" is not one of ${LOG_LEVELS.join(', ')}`, {
    hint: 'pass --log-level or BEADFLOW_LOG_LEVEL',
    kind: 'usage',
  });
}

/** JSON unless a person is watching stdout; a file is always JSON. BEADFLOW_LOG_FORMAT overrides. */
export function chooseLogFormat(opts: { isTTY: boolean; env?: NodeJS.ProcessEnv; file?: string }): LogFormat {
  const wanted = opts.env?.BEADFLOW_LOG_FORMAT?.trim().toLowerCase();
  if (wanted === 'json' || wanted === 'pretty') return wanted;
  if (opts.file) return 'json';
  return opts.isTTY ? 'pretty' : 'json';
}

/** The settings the environment and an optional `--log-level` flag ask for. */
export function loggerSettings(opts: { level?: string; env?: NodeJS.ProcessEnv; isTTY?: boolean; stderr?: boolean } = {}): LoggerSettings {
  const env = opts.env ?? process.env;
  const file = env.BEADFLOW_LOG_FILE || undefined;
  const out = opts.stderr ? process.stderr : process.stdout;
  return {
    level: parseLogLevel(opts.level ?? env.BEADFLOW_LOG_LEVEL),
    format: chooseLogFormat({ isTTY: opts.isTTY ?? !!out.isTTY, env, file }),
    ...(file ? { file } : {}),
    ...(opts.stderr ? { stderr: true } : {}),
  };
}

export function createLogger(settings: LoggerSettings, destination?: DestinationStream): Pino {
  const options = { level: settings.level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
  if (destination) return pino(options, destination);
  if (settings.file) {
    fs.mkdirSync(path.dirname(path.resolve(settings.file)), { recursive: true });
    return pino(options, pino.destination({ dest: settings.file, append: true, sync: true }));
  }
  const fd = settings.stderr ? 2 : 1;
  if (settings.format === 'pretty') {
    return pino(options, pretty({ colorize: true, sync: true, destination: fd, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss.l' }));
  }
  return pino(options, pino.destination({ dest: fd, sync: true }));
}

let current: Pino | undefined;

/** The process's logger: configured once by configureLogging, else from the environment on first use. */
export function logger(): Pino {
  current ??= createLogger(loggerSettings());
  return current;
}

export function configureLogging(settings: LoggerSettings): Pino {
  current = createLogger(settings);
  return current;
}

const SDK_TO_PINO: Record<SdkLogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** The SDK's Logger interface over pino: every SDK log line becomes one structured line. */
export class SdkLogger implements SdkLoggerInterface {
  constructor(private readonly target: () => Pino = logger) {}

  log(level: SdkLogLevel, message: string, meta?: LogMetadata): void {
    const fields = meta ? { ...meta } : {};
    // Core's forwarded lines carry a bigint timestamp pino cannot serialise.
    for (const [k, v] of Object.entries(fields)) if (typeof v === 'bigint') fields[k] = v.toString();
    this.target()[SDK_TO_PINO[level] ?? 'info'](fields, message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/** The SDK's level names for a pino level (Core's log filter). */
export function sdkLevel(level: LogLevel): SdkLogLevel {
  return level === 'silent' ? 'ERROR' : (level.toUpperCase() as SdkLogLevel);
}

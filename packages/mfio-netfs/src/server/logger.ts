/** Log levels, most severe first; `silent` logs nothing. */
export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;
/** One of {@link LOG_LEVELS}: a logger writes its level and every more severe one. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One line per event: what the server says about connections and itself. */
export interface Logger {
  /** Something failed that should not: a request's unexpected error, accept or start-up failures. */
  error(message: string): void;
  /** A connection refused: over the limit, while shutting down, not TLS, a failed TLS handshake. */
  warn(message: string): void;
  /** The server's life and each connection's: listening, connected, authenticated, disconnected. */
  info(message: string): void;
  /** Detail for tracing a problem: a connection's socket errors. */
  debug(message: string): void;
}

/**
 * A logger writing `<ISO time> <level> <message>` lines to `write` (stderr by default) for
 * every level up to `level`.
 * @example const log = createLogger('info'); log.info('listening on 127.0.0.1:4446');
 */
export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line + '\n')): Logger {
  const rank = LOG_LEVELS.indexOf(level);
  const at = (name: Exclude<LogLevel, 'silent'>) => {
    const enabled = LOG_LEVELS.indexOf(name) <= rank;
    return enabled ? (message: string) => write(`${new Date().toISOString()} ${name} ${message}`) : () => undefined;
  };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

/**
 * SIGTERM / SIGINT: a graceful stop, bounded. The first signal asks the role to finish its flush
 * (or transaction) and exit 0; if that has not happened within STOP_TIMEOUT_MS, the flush is
 * abandoned with one line and exit code 1 — safe, because the checkpoint (a counter's last
 * committed transaction) and the external versions make the next start resume exactly. A second
 * signal stops at once (exit 128 + the signal's number, as a shell reports it).
 */
import { constants } from 'node:os';

export function stopOnSignals(who: string, finishing: string, timeoutMs: number, stop: () => void): void {
  let first: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (first) {
      process.stderr.write(
        `${who}: ${signal} again: stopping at once; the next start resumes exactly from the last checkpoint\n`,
      );
      process.exit(128 + (constants.signals[signal] ?? 15));
    }
    first = signal;
    process.stderr.write(`${who}: ${signal}: ${finishing} (at most ${timeoutMs} ms: STOP_TIMEOUT_MS)\n`);
    stop();
    setTimeout(() => {
      process.stderr.write(
        `${who}: the graceful stop did not finish within STOP_TIMEOUT_MS=${timeoutMs}: abandoning the in-flight flush; the next start resumes exactly from the last checkpoint\n`,
      );
      process.exit(1);
    }, timeoutMs).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

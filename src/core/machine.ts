import { Emitter } from './emitter.js';
import { JanusWidgetError, isAbortError, toWidgetError } from './errors.js';
import { retryWithBackoff, type RetryOptions } from './reconnect.js';

/** The states every connection machine goes through; a machine may add its own (the viewer's `waiting`). */
export type MachineState = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'error' | 'closed';

export interface MachineEvents<State extends string> {
  state: State;
  error: JanusWidgetError;
}

/**
 * The skeleton of the live publisher and the room viewer: one state, one AbortController per run
 * (everything a run waits for is cancelled with it), failures reported once with the error set
 * before the state that announces it, the reconnection loop, and `dispose()`, after which the
 * machine never speaks again: its last word is `closed`, said synchronously.
 */
export abstract class Machine<State extends string, Events extends MachineEvents<State>> extends Emitter<Events> {
  state: State;
  error: JanusWidgetError | undefined;
  private run = new AbortController();
  private disposed = false;

  constructor(initial: State) {
    super();
    this.state = initial;
  }

  /** The signal of the current run. */
  protected get signal(): AbortSignal {
    return this.run.signal;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Aborts the current run (and whatever it is waiting for) and starts a fresh one. */
  protected newRun(): AbortSignal {
    this.run.abort();
    this.run = new AbortController();
    return this.run.signal;
  }

  protected override emit<K extends keyof Events>(type: K, detail: Events[K]): void {
    if (!this.disposed) super.emit(type, detail);
  }

  protected setState(state: State): void {
    if (this.disposed || this.state === state) return;
    this.state = state;
    this.emit('state', state);
  }

  /**
   * Ends the run with a failure: the run is aborted, what it holds is torn down, then `state`
   * becomes `error` (with `error` already set) and one `error` event follows. Aborts are silent,
   * and a rejection seen twice (a capture awaited by two callers) is one failure.
   */
  protected fail(error: unknown): void {
    if (isAbortError(error) || this.disposed) return;
    const failure = toWidgetError(error);
    if (this.state === 'error' && this.error === failure) return;
    this.error = failure;
    this.run.abort();
    void this.teardown();
    this.setState('error' as State);
    this.emit('error', failure);
  }

  /** Whether the connection was established, so that losing it is worth a reconnection. */
  protected abstract isEstablished(): boolean;

  /** Releases what the current connection holds (handles, session shares, tracks where it owns them). */
  protected abstract teardown(): Promise<void>;

  /**
   * Re-establishes a lost connection: `reconnecting`, then `cleanup` and `attempt` with backoff
   * until one succeeds (the attempt sets the state it reaches), the run is aborted, or the
   * failure is final (then the machine fails with it). A first connection is not retried: it
   * fails as it is.
   */
  protected async reconnect(
    attempt: (signal: AbortSignal) => Promise<void>,
    cleanup: () => Promise<void>,
    options?: RetryOptions,
  ): Promise<void> {
    const signal = this.run.signal;
    if (signal.aborted || this.state === 'reconnecting' || !this.isEstablished()) return;
    this.setState('reconnecting' as State);
    const failure = await retryWithBackoff(() => attempt(signal), cleanup, signal, options);
    if (failure) this.fail(failure);
  }

  /** Stops everything the machine started; it says `closed` and then nothing more. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.run.abort();
    this.setState('closed' as State);
    this.disposed = true;
    this.removeAllListeners();
    await this.teardown();
  }
}

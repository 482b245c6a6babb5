import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { isAbortError, toWidgetError, type JanusWidgetError } from '../core/errors.js';
import type { Machine, MachineEvents } from '../core/machine.js';

/** What a machine controller needs from its element. */
export interface MachineHost<State extends string> extends ReactiveControllerHost {
  readonly isConnected: boolean;
  setState(state: State): void;
  reportError(error: JanusWidgetError): void;
}

/**
 * Owns an element's machine: built at the first update after connecting (so every attribute and
 * property set right after `append()` counts), rebuilt when the settings change, disposed on
 * disconnect. Only the current machine speaks for the element: a replaced one may still settle
 * (a late reply for the old room), and nothing it says reaches the element.
 */
export abstract class MachineController<
  State extends string,
  Events extends MachineEvents<State>,
  M extends Machine<State, Events>,
> implements ReactiveController {
  machine: M | undefined;
  /** Why no machine could be built (an invalid attribute). */
  protected configError: JanusWidgetError | undefined;
  /** The disposal of the machine replaced last, for a successor that must wait for it. */
  protected closing: Promise<void> = Promise.resolve();
  private pendingOpen = false;

  constructor(protected readonly host: MachineHost<State>) {
    host.addController(this);
  }

  /** Builds the machine from the element's settings; throws `invalid-config` errors. */
  protected abstract create(previous: M | undefined): M;

  /** Starts the new machine's work; `wasRunning` says whether the one it replaces was connecting or live. */
  protected abstract begin(machine: M, wasRunning: boolean): Promise<unknown>;

  /** Called when a machine stops being the current one (drop what the element took from it). */
  protected released(): void {}

  hostConnected(): void {
    this.pendingOpen = true;
    this.host.requestUpdate();
  }

  hostDisconnected(): void {
    this.pendingOpen = false;
    this.close();
    this.host.setState('closed' as State);
  }

  /**
   * Called from the element's `willUpdate`: builds the machine once after connecting, and again
   * when `settingsChanged`. Returns true when it built one.
   */
  update(settingsChanged: boolean): boolean {
    if (!this.pendingOpen && !(settingsChanged && this.host.isConnected)) return false;
    this.pendingOpen = false;
    this.restart();
    return true;
  }

  /** Stops the machine without saying `closed` (another controller takes over the element). */
  suspend(): void {
    this.pendingOpen = false;
    this.close();
  }

  /** Replaces the machine by a fresh one built from the current settings. */
  restart(): void {
    const previous = this.machine;
    const wasRunning = ['connecting', 'live', 'reconnecting', 'waiting'].includes(previous?.state ?? '');
    this.close();
    if (this.host.isConnected) this.open(previous, wasRunning);
  }

  /** Subscribes the element to one event of `machine`, for as long as it is the current machine. */
  protected forward<K extends keyof Events>(machine: M, type: K, listener: (detail: Events[K]) => void): void {
    machine.on(type, (detail) => {
      if (this.machine === machine) listener(detail);
    });
  }

  private open(previous: M | undefined, wasRunning: boolean): void {
    this.configError = undefined;
    let machine: M;
    try {
      machine = this.create(previous);
    } catch (error) {
      this.fail(error);
      return;
    }
    this.machine = machine;
    this.forward(machine, 'state', (state) => this.host.setState(state));
    this.forward(machine, 'error', (error) => this.host.reportError(error));
    this.host.setState(machine.state);
    // Failures arrive through the state and `janus-error`; nothing may go unhandled.
    this.begin(machine, wasRunning).catch(() => {});
  }

  private close(): void {
    const machine = this.machine;
    if (!machine) return;
    this.machine = undefined;
    this.closing = machine.dispose();
    this.released();
  }

  private fail(error: unknown): void {
    if (isAbortError(error)) return;
    this.configError = toWidgetError(error, 'invalid-config');
    this.host.setState('error' as State);
    this.host.reportError(this.configError);
  }
}

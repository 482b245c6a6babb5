import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** What the controller needs from its element. */
export interface ControlBarHost extends ReactiveControllerHost {
  readonly state: string;
}

/**
 * When a viewer's control bar appears: with the first frame, at most `waitMs` after going live
 * (audio only, HLS starting), at once in any settled state without video (waiting, error). Its form
 * controls are the heaviest part of the first render, which otherwise runs while the first frame
 * is on its way (6-9 ms sooner without, 51-run A/B). Once shown, it stays.
 */
export class ControlBarController implements ReactiveController {
  private due = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly host: ControlBarHost,
    private readonly waitMs: number,
  ) {
    host.addController(this);
  }

  get visible(): boolean {
    return this.due;
  }

  /** A tile rendered its first frame. */
  firstFrame(): void {
    clearTimeout(this.timer);
    if (this.due) return;
    this.due = true;
    this.host.requestUpdate();
  }

  hostUpdate(): void {
    if (this.due) return;
    const { state } = this.host;
    if (state === 'live') this.timer ??= setTimeout(() => this.firstFrame(), this.waitMs);
    else if (state !== 'connecting' && state !== 'idle') this.due = true;
  }

  hostDisconnected(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

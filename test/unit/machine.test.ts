import { expect } from '@open-wc/testing';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { JanusWidgetError } from '../../src/core/errors.js';
import { Machine, type MachineEvents, type MachineState } from '../../src/core/machine.js';
import { MachineController } from '../../src/controllers/machine-controller.js';

interface TestEvents extends MachineEvents<MachineState> {
  note: string;
}

/** A machine whose connection is a promise the test settles by hand. */
class TestMachine extends Machine<MachineState, TestEvents> {
  teardowns = 0;
  private settle: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  attempts = 0;

  constructor() {
    super('idle');
  }

  async start(): Promise<void> {
    const signal = this.newRun();
    this.setState('connecting');
    try {
      await this.connect(signal);
      this.setState('live');
    } catch (error) {
      this.fail(error);
    }
  }

  private connect(signal: AbortSignal): Promise<void> {
    this.attempts++;
    return new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
      signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')), { once: true });
    });
  }

  resolveConnect(): void {
    this.settle?.resolve();
  }

  rejectConnect(error: unknown): void {
    this.settle?.reject(error);
  }

  note(text: string): void {
    this.emit('note', text);
  }

  lose(): Promise<void> {
    return this.reconnect(
      async (signal) => {
        await this.connect(signal);
        this.setState('live');
      },
      async () => {},
    );
  }

  failWith(error: unknown): void {
    this.fail(error);
  }

  protected isEstablished(): boolean {
    return this.state === 'live';
  }

  protected async teardown(): Promise<void> {
    this.teardowns++;
    this.note('teardown');
  }
}

function record(machine: TestMachine): string[] {
  const seen: string[] = [];
  machine.on('state', (state) => seen.push(`state:${state}${state === 'error' ? `(${machine.error?.code})` : ''}`));
  machine.on('error', (error) => seen.push(`error:${error.code}`));
  machine.on('note', (note) => seen.push(`note:${note}`));
  return seen;
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('Machine', () => {
  it('sets the error before the state that announces it, and reports it once', async () => {
    const machine = new TestMachine();
    const seen = record(machine);
    const started = machine.start();
    const refused = new JanusWidgetError('unauthorized', 'wrong PIN');
    machine.rejectConnect(refused);
    await started;
    machine.failWith(refused);
    expect(seen).to.deep.equal([
      'state:connecting',
      'note:teardown',
      'state:error(unauthorized)',
      'error:unauthorized',
    ]);
    expect(machine.error).to.equal(refused);
  });

  it('is silent about aborts', async () => {
    const machine = new TestMachine();
    const seen = record(machine);
    machine.failWith(new DOMException('gone', 'AbortError'));
    expect(seen).to.deep.equal([]);
    expect(machine.state).to.equal('idle');
  });

  it('never speaks again once disposed: closed is its last word', async () => {
    const machine = new TestMachine();
    const seen = record(machine);
    const started = machine.start();
    await machine.dispose();
    machine.resolveConnect();
    await started;
    machine.note('late');
    machine.failWith(new JanusWidgetError('session-lost', 'late'));
    expect(seen).to.deep.equal(['state:connecting', 'state:closed']);
    expect(machine.teardowns).to.equal(1);
    await machine.dispose();
    expect(machine.teardowns).to.equal(1);
  });

  it('aborts what the previous run waits for when a new run starts', async () => {
    const machine = new TestMachine();
    const seen = record(machine);
    const first = machine.start();
    const second = machine.start();
    await first;
    machine.resolveConnect();
    await second;
    expect(seen).to.deep.equal(['state:connecting', 'state:live']);
  });

  it('reconnects an established connection, and only once at a time', async () => {
    const machine = new TestMachine();
    const seen = record(machine);
    const started = machine.start();
    machine.resolveConnect();
    await started;
    const recovering = machine.lose();
    void machine.lose();
    // The first retry waits its backoff delay (about 250 ms) before connecting again.
    await new Promise((resolve) => setTimeout(resolve, 400));
    machine.resolveConnect();
    await recovering;
    expect(seen).to.deep.equal(['state:connecting', 'state:live', 'state:reconnecting', 'state:live']);
    expect(machine.attempts).to.equal(2);
  });

  it('does not reconnect a connection that was never established', async () => {
    const machine = new TestMachine();
    const seen = record(machine);
    await machine.lose();
    expect(seen).to.deep.equal([]);
  });
});

class FakeHost implements ReactiveControllerHost {
  isConnected = true;
  states: string[] = [];
  errors: string[] = [];
  notes: string[] = [];
  controllers: ReactiveController[] = [];
  addController(controller: ReactiveController): void {
    this.controllers.push(controller);
  }
  removeController(): void {}
  requestUpdate(): void {}
  get updateComplete(): Promise<boolean> {
    return Promise.resolve(true);
  }
  setState(state: MachineState): void {
    if (this.states.at(-1) !== state) this.states.push(state);
  }
  reportError(error: JanusWidgetError): void {
    this.errors.push(error.code);
  }
}

class TestController extends MachineController<MachineState, TestEvents, TestMachine> {
  built: TestMachine[] = [];
  invalid = false;
  protected create(): TestMachine {
    if (this.invalid) throw new JanusWidgetError('invalid-config', 'The room attribute is missing.');
    const machine = new TestMachine();
    this.forward(machine, 'note', (note) => (this.host as FakeHost).notes.push(note));
    this.built.push(machine);
    return machine;
  }
  protected begin(machine: TestMachine): Promise<unknown> {
    return machine.start();
  }
}

describe('MachineController', () => {
  it('ignores everything a replaced machine still says (a late reply for the old room)', async () => {
    const host = new FakeHost();
    const controller = new TestController(host);
    controller.hostConnected();
    controller.update(false);
    const [old] = controller.built;
    old!.resolveConnect();
    await flush();
    // The room changes: the old machine is replaced while its requests are still out.
    controller.update(true);
    const fresh = controller.built[1]!;
    old!.note('late');
    old!.failWith(new JanusWidgetError('room-not-found', 'late reply'));
    fresh.resolveConnect();
    await flush();
    expect(host.states).to.deep.equal(['idle', 'connecting', 'live', 'idle', 'connecting', 'live']);
    expect(host.errors).to.deep.equal([]);
    expect(host.notes).to.deep.equal([]);
    expect(old!.state).to.equal('closed');
  });

  it('reports a settings error once, as invalid-config, and builds nothing', () => {
    const host = new FakeHost();
    const controller = new TestController(host);
    controller.invalid = true;
    controller.hostConnected();
    controller.update(false);
    expect(host.states).to.deep.equal(['error']);
    expect(host.errors).to.deep.equal(['invalid-config']);
    expect(controller.machine).to.equal(undefined);
  });

  it('disposes its machine on disconnect and says closed itself', async () => {
    const host = new FakeHost();
    const controller = new TestController(host);
    controller.hostConnected();
    controller.update(false);
    controller.hostDisconnected();
    const [machine] = controller.built;
    expect(machine!.state).to.equal('closed');
    expect(host.states).to.deep.equal(['idle', 'connecting', 'closed']);
    expect(controller.machine).to.equal(undefined);
  });
});

import type { Logger } from './logger';
import type { RunInfo } from './owner';

/** A part of the running system with an ordered start and a draining stop. */
export interface Component {
  readonly name: string;
  start?(): Promise<void> | void;
  stop?(): Promise<void> | void;
  /** A listener reports what it bound (port numbers by `run.json` key) once started. */
  runInfo?(): Partial<RunInfo>;
}

/** Starts components in order and stops the started ones in reverse, even when one fails. */
export class Lifecycle {
  private readonly started: Component[] = [];

  constructor(private readonly logger: Logger) {}

  async start(components: readonly Component[]): Promise<void> {
    for (const component of components) {
      await component.start?.();
      this.started.push(component);
      this.logger.debug('started', { component: component.name });
    }
  }

  async stop(): Promise<void> {
    while (this.started.length > 0) {
      const component = this.started.pop()!;
      try {
        await component.stop?.();
        this.logger.debug('stopped', { component: component.name });
      } catch (error) {
        this.logger.error('stop failed', { component: component.name, error });
      }
    }
  }
}

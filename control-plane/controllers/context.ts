/**
 * What every controller is given: the API client, the shared informers, an event recorder per
 * component, and a logger. Controllers start with `start<Name>Controller(ctx)` and return a
 * ControllerHandle.
 */
import type { Logger } from 'pino';
import type { ApiClient } from '../client/api-client.js';
import type { EventRecorder } from '../client/event-recorder.js';
import type { InformerFactory } from '../client/informer-factory.js';

export interface ControllerContext {
  client: ApiClient;
  informers: InformerFactory;
  /** The recorder for a component name (`deployment-controller`, `default-scheduler`, …). */
  recorder(component: string): EventRecorder;
  logger: Logger;
}

import { type Ack, clientEventSchemas, type ClientEventName, ErrorCode } from '@miyu/protocol';
import type { z, ZodType } from 'zod';
import { toApiError } from '../../common/errors/to-api-error.js';
import { logger } from '../../common/logging/json-logger.js';
import type { MetricsService } from '../metrics/metrics.service.js';

/**
 * Validates an inbound event with its schema from libs/protocol, runs the handler, and turns the outcome
 * (including domain errors) into a typed ack. Never throws: a bad payload gets an error ack, not a crash.
 */
export class SocketEventHandler {
  constructor(private readonly metrics: MetricsService) {}

  async handle<E extends ClientEventName, T>(
    event: E,
    payload: unknown,
    run: (input: z.output<(typeof clientEventSchemas)[E]>) => Promise<T>,
  ): Promise<Ack<T>> {
    const schema = clientEventSchemas[event] as unknown as ZodType<z.output<(typeof clientEventSchemas)[E]>>;
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      this.metrics.socketEvents.inc({ event, outcome: 'invalid' });
      const first = parsed.error.issues[0];
      return {
        ok: false,
        error: {
          code: ErrorCode.VALIDATION_FAILED,
          message: first ? `${first.path.join('.') || '(payload)'}: ${first.message}` : 'Invalid payload.',
        },
      };
    }
    try {
      const data = await run(parsed.data);
      this.metrics.socketEvents.inc({ event, outcome: 'ok' });
      return { ok: true, data };
    } catch (err) {
      const mapped = toApiError(err);
      if (mapped.unexpected) logger.event('error', 'realtime', 'socket handler failed', { event, err });
      this.metrics.socketEvents.inc({ event, outcome: 'error' });
      return { ok: false, error: { code: mapped.body.error.code, message: mapped.body.error.message } };
    }
  }
}

import { JsonLogger, redactFields } from './json-logger.js';
import { runWithRequestContext } from './request-context.js';

describe('JsonLogger', () => {
  it('writes one JSON object per line with the request id of the current context', () => {
    const lines: string[] = [];
    const log = new JsonLogger('info', (l) => lines.push(l));
    runWithRequestContext({ requestId: 'req-12345678' }, () => log.event('info', 'http', 'request', { status: 200 }));
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({
      level: 'info',
      context: 'http',
      msg: 'request',
      requestId: 'req-12345678',
      status: 200,
    });
  });

  it('never writes secrets, however deep', () => {
    const out = redactFields({
      password: 'p',
      nested: { csrfToken: 't', cookie: 'c', ok: 1 },
      authorization: 'Bearer x',
    });
    expect(out).toEqual({
      password: '[redacted]',
      nested: { csrfToken: '[redacted]', cookie: '[redacted]', ok: 1 },
      authorization: '[redacted]',
    });
  });

  it('filters by level and demotes Nest boot chatter to debug', () => {
    const lines: string[] = [];
    const log = new JsonLogger('info', (l) => lines.push(l));
    log.debug('hidden');
    log.log('Mapped {/x, GET} route', 'RouterExplorer');
    log.warn('shown', 'app');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['shown']);
  });
});

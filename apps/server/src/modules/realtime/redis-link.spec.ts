import { EventEmitter } from 'node:events';
import { logger } from '../../common/logging/json-logger.js';
import { type RedisLinkEvents, watchRedisLink } from './redis-link.js';

describe('watchRedisLink', () => {
  it('logs a loss once however many retries fail, and reports each restoration once', () => {
    const client = new EventEmitter();
    const log = jest.spyOn(logger, 'event').mockImplementation(() => undefined);
    const restored = jest.fn();
    watchRedisLink(client as unknown as RedisLinkEvents, 'sub', restored);

    client.emit('ready'); // the first connection is not a restoration
    expect(restored).not.toHaveBeenCalled();
    for (let i = 0; i < 5; i++) client.emit('error', new Error('connect ECONNREFUSED'));
    expect(log.mock.calls.filter((c) => c[0] === 'error')).toHaveLength(1);
    client.emit('ready');
    expect(restored).toHaveBeenCalledTimes(1);
    client.emit('ready');
    expect(restored).toHaveBeenCalledTimes(1);
    client.emit('error', new Error('Socket closed unexpectedly'));
    client.emit('ready');
    expect(restored).toHaveBeenCalledTimes(2);
    expect(log.mock.calls.map((c) => c[2])).toEqual([
      'redis link lost; retrying',
      'redis link restored',
      'redis link lost; retrying',
      'redis link restored',
    ]);
    log.mockRestore();
  });
});

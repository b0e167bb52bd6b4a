import { ConnectionTimeoutError, SocketClosedUnexpectedlyError } from 'redis';
import { logger } from '../logging/json-logger.js';
import { isLostConnection, onUnhandledRejection } from './unhandled-rejections.js';

describe('unhandled rejections', () => {
  let log: jest.SpyInstance;
  beforeEach(() => {
    log = jest.spyOn(logger, 'event').mockImplementation(() => undefined);
  });
  afterEach(() => log.mockRestore());

  it('lets a lost Redis or network connection pass with a warning', () => {
    const exit = jest.fn();
    for (const reason of [
      new SocketClosedUnexpectedlyError(),
      new ConnectionTimeoutError(),
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    ]) {
      expect(isLostConnection(reason)).toBe(true);
      onUnhandledRejection(reason, exit);
    }
    expect(exit).not.toHaveBeenCalled();
    expect(log.mock.calls.every((c) => c[0] === 'warn')).toBe(true);
  });

  it('exits on anything else, after logging it', () => {
    const exit = jest.fn();
    onUnhandledRejection(new TypeError('x is undefined'), exit);
    onUnhandledRejection('a string', exit);
    expect(exit).toHaveBeenCalledTimes(2);
    expect(exit).toHaveBeenCalledWith(1);
    expect(log.mock.calls.map((c) => c[0])).toEqual(['error', 'error']);
    expect(isLostConnection(null)).toBe(false);
  });
});

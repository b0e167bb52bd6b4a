import { clientEventSchemas, type ClientToServerEvents, type ClientEventName } from './socket.js';

type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// Compile-time: the schema table and the typed event map name the same events.
const sameEvents: Exact<ClientEventName, keyof ClientToServerEvents> = true;

describe('socket contracts', () => {
  it('has a schema for every client event', () => {
    expect(sameEvents).toBe(true);
    for (const [name, schema] of Object.entries(clientEventSchemas)) {
      expect(name).toMatch(/^[a-z]+:[a-z]+$/); // noun:verb
      expect(typeof schema.safeParse).toBe('function');
    }
    expect(Object.keys(clientEventSchemas)).toEqual(
      expect.arrayContaining(['system:ping', 'message:send', 'todevice:send', 'typing:update', 'presence:query']),
    );
  });

  it('rejects unknown fields and oversized nonces in system:ping', () => {
    expect(clientEventSchemas['system:ping'].safeParse({ nonce: 'a' }).success).toBe(true);
    expect(clientEventSchemas['system:ping'].safeParse({ nonce: 'a'.repeat(65) }).success).toBe(false);
    expect(clientEventSchemas['system:ping'].safeParse({ extra: 1 }).success).toBe(false);
  });
});

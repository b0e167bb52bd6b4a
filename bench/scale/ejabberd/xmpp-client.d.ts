// The part of @xmpp/client 0.14 (which ships no types) that the ejabberd target uses.
declare module '@xmpp/client' {
  import type { EventEmitter } from 'node:events';

  /** An ltx element. */
  export interface Element {
    name: string;
    attrs: Record<string, string | undefined>;
    getChild(name: string, xmlns?: string): Element | undefined;
    getChildren(name: string, xmlns?: string): Element[];
    getChildText(name: string, xmlns?: string): string | null;
    is(name: string, xmlns?: string): boolean;
    toString(): string;
  }

  export function xml(
    name: string,
    attrs?: Record<string, string | undefined> | null,
    ...children: Array<Element | string>
  ): Element;

  export interface IqCaller {
    request(stanza: Element, timeoutMs?: number): Promise<Element>;
  }

  export interface Client extends EventEmitter {
    status: string;
    socket: { destroy(): void } | null;
    reconnect: { stop(): void };
    iqCaller: IqCaller;
    start(): Promise<unknown>;
    stop(): Promise<unknown>;
    send(element: Element): Promise<void>;
  }

  /** `authenticate` with the mechanism to use, among those the server offers. */
  export type Authenticate = (
    authenticate: (credentials: { username: string; password: string }, mechanism: string) => Promise<void>,
    mechanisms: string[],
  ) => Promise<void>;

  export function client(options: {
    /** xmpp://host:port */
    service: string;
    domain: string;
    resource?: string;
    credentials: Authenticate;
    /** Milliseconds to wait for the stream to open and to close. */
    timeout?: number;
  }): Client;
}

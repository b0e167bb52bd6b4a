import { createContext, useContext, useSyncExternalStore } from 'react';
import type { ChatEngine, ChatSnapshot } from '../engine/chatEngine';

export interface ChatContextValue {
  engine: ChatEngine | null;
  /** Why the chat client could not start (no IndexedDB, the server refused the device, …). */
  error: unknown;
}

export const ChatContext = createContext<ChatContextValue>({ engine: null, error: null });

const NOTHING = () => () => undefined;

/** The chat engine (null while it starts) and its current state, re-rendering on every change. */
export function useChat(): { engine: ChatEngine | null; snapshot: ChatSnapshot | null; error: unknown } {
  const { engine, error } = useContext(ChatContext);
  const snapshot = useSyncExternalStore(engine?.subscribe ?? NOTHING, () => engine?.snapshot() ?? null);
  return { engine, snapshot, error };
}

import { useEffect, useState, type ReactNode } from 'react';
import { useServices } from '../../../lib/services';
import { useSignedInAuth } from '../../auth';
import { useSocket } from '../../realtime';
import type { ChatEngine } from '../engine/chatEngine';
import { ChatContext, type ChatContextValue } from '../hooks/useChat';
import { clearForgetting, isForgetting, markForgetting } from '../forgetting';

/** Deletes this device (on the server and in this browser), and keeps the chat client from starting again. */
export async function forgetThisDevice(engine: ChatEngine, userId: string): Promise<void> {
  markForgetting(userId);
  await engine.forgetThisDevice();
}

/**
 * Starts this browser's E2E chat client for the signed-in user once the socket exists. The engine and
 * libs/crypto (with libsodium's WebAssembly) load as a separate chunk after the app shell has rendered.
 */
export function ChatProvider({ children }: { children: ReactNode }) {
  const { api, openDeviceStore } = useServices();
  const socket = useSocket();
  const { user } = useSignedInAuth();
  const [value, setValue] = useState<ChatContextValue>({ engine: null, error: null });

  useEffect(() => {
    if (!socket || !openDeviceStore || isForgetting(user.id)) return;
    let cancelled = false;
    let started: ChatEngine | null = null;
    import('../engine/startChat')
      .then(({ startChat }) => startChat({ api, socket, openDeviceStore, userId: user.id }))
      .then(
        (engine) => {
          if (cancelled) return engine.stop();
          started = engine;
          setValue({ engine, error: null });
        },
        (error: unknown) => {
          if (!cancelled && !isForgetting(user.id)) setValue({ engine: null, error });
        },
      );
    return () => {
      cancelled = true;
      started?.stop();
      setValue({ engine: null, error: null });
    };
  }, [api, socket, openDeviceStore, user.id]);
  useEffect(() => () => clearForgetting(user.id), [user.id]);

  return <ChatContext value={value}>{children}</ChatContext>;
}

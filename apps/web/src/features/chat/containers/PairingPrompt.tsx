import { useState } from 'react';
import { PairingDialog } from '../components/PairingDialog';
import { useChat } from '../hooks/useChat';

/** Shows a pairing in progress on any screen (a request from a new device can arrive at any time). */
export function PairingPrompt() {
  const { engine, snapshot } = useChat();
  const [busy, setBusy] = useState(false);
  const view = snapshot?.pairing;
  if (!engine || !view) return null;
  const run = (action: () => Promise<void>) => {
    setBusy(true);
    action()
      .catch(() => undefined)
      .finally(() => setBusy(false));
  };
  return (
    <PairingDialog
      view={view}
      busy={busy}
      onAccept={() => run(() => engine.acceptPairing())}
      onConfirm={() => run(() => engine.confirmPairing())}
      onCancel={() => engine.cancelPairing()}
    />
  );
}

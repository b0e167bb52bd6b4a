import { useCallback, useState } from 'react';

export type CopyState = 'copied' | 'failed' | null;

/**
 * Copies text to the clipboard and says how it went: `copied`, `failed` (no clipboard, or the browser refused — the
 * caller tells people to select and copy by hand), or null before the first try.
 */
export function useCopyToClipboard(): { state: CopyState; copy: (text: string) => void } {
  const [state, setState] = useState<CopyState>(null);
  const copy = useCallback((text: string) => {
    const clipboard = typeof navigator === 'undefined' ? undefined : navigator.clipboard;
    if (!clipboard) {
      setState('failed');
      return;
    }
    clipboard.writeText(text).then(
      () => setState('copied'),
      () => setState('failed'),
    );
  }, []);
  return { state, copy };
}

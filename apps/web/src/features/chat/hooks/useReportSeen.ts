import { type RefObject, useEffect, useRef } from 'react';

/** Share of a message (or of the viewport, for a message taller than it) that must be on screen to count as seen. */
const SEEN_SHARE = 0.5;

/**
 * Reports the newest message actually shown: on screen (at least half of it, or half the viewport for a tall one)
 * while the window is focused and the tab visible. Messages that scroll into view while the window is in the
 * background are reported when it comes back. `version` changes (by identity) whenever the rendered messages change. Where the
 * browser has no IntersectionObserver (tests in jsdom), the newest rendered message counts when the window is
 * focused.
 */
export function useReportSeen(
  scroller: RefObject<HTMLElement | null>,
  version: unknown,
  onSeen: ((seq: number) => void) | undefined,
): void {
  const report = useRef(onSeen);
  report.current = onSeen;
  const visible = useRef(new Set<number>());
  const observer = useRef<IntersectionObserver | null>(null);

  const flush = useRef(() => undefined as void);
  flush.current = () => {
    if (document.visibilityState !== 'visible' || !document.hasFocus() || visible.current.size === 0) return;
    report.current?.(Math.max(...visible.current));
  };

  useEffect(() => {
    const root = scroller.current;
    if (!root) return;
    const onAttention = () => flush.current();
    window.addEventListener('focus', onAttention);
    document.addEventListener('visibilitychange', onAttention);
    const io =
      typeof IntersectionObserver === 'undefined'
        ? null
        : new IntersectionObserver(
            (entries) => {
              for (const entry of entries) {
                const seq = seqOf(entry.target);
                const viewport = entry.rootBounds?.height ?? Infinity;
                const shown =
                  entry.isIntersecting &&
                  (entry.intersectionRatio >= SEEN_SHARE || entry.intersectionRect.height >= viewport * SEEN_SHARE);
                if (shown && seq > 0) visible.current.add(seq);
                else visible.current.delete(seq);
              }
              flush.current();
            },
            { root, threshold: [0, SEEN_SHARE, 1] },
          );
    observer.current = io;
    const seen = visible.current;
    return () => {
      io?.disconnect();
      observer.current = null;
      seen.clear();
      window.removeEventListener('focus', onAttention);
      document.removeEventListener('visibilitychange', onAttention);
    };
  }, [scroller]);

  // Observe the messages rendered now (observing an element twice is a no-op); without an observer, the newest.
  useEffect(() => {
    const messages = scroller.current?.querySelectorAll('[data-seq]');
    if (!messages) return;
    const io = observer.current;
    if (io) messages.forEach((el) => io.observe(el));
    else if (messages.length > 0) {
      visible.current = new Set([seqOf(messages[messages.length - 1]!)]);
      flush.current();
    }
  }, [scroller, version]);
}

const seqOf = (el: Element) => Number((el as HTMLElement).dataset.seq) || 0;

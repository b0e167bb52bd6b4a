import { act, render } from '@testing-library/react';
import { useRef } from 'react';
import { useReportSeen } from './useReportSeen';

/** jsdom lays nothing out: this observer is driven by the test, as the browser would drive the real one. */
class ScriptedObserver {
  static last: ScriptedObserver | null = null;
  readonly observed = new Set<Element>();
  constructor(private readonly callback: IntersectionObserverCallback) {
    ScriptedObserver.last = this;
  }
  observe(el: Element) {
    this.observed.add(el);
  }
  disconnect() {
    this.observed.clear();
  }
  show(seq: number, ratio: number, height = 40) {
    const target = [...this.observed].find((el) => (el as HTMLElement).dataset.seq === String(seq))!;
    const entry = {
      target,
      isIntersecting: ratio > 0,
      intersectionRatio: ratio,
      intersectionRect: { height: height * ratio },
      rootBounds: { height: 400 },
    } as unknown as IntersectionObserverEntry;
    act(() => this.callback([entry], this as unknown as IntersectionObserver));
  }
}

function Messages({ seqs, onSeen }: { seqs: number[]; onSeen: (seq: number) => void }) {
  const ref = useRef<HTMLOListElement>(null);
  useReportSeen(ref, seqs, onSeen);
  return (
    <ol ref={ref}>
      {seqs.map((seq) => (
        <li key={seq} data-seq={seq}>
          message {seq}
        </li>
      ))}
    </ol>
  );
}

describe('useReportSeen (read receipts from what is on screen)', () => {
  let focused = true;
  beforeEach(() => {
    focused = true;
    Object.assign(globalThis, { IntersectionObserver: ScriptedObserver });
    jest.spyOn(document, 'hasFocus').mockImplementation(() => focused);
  });
  afterEach(() => {
    delete (globalThis as { IntersectionObserver?: unknown }).IntersectionObserver;
    jest.restoreAllMocks();
  });

  it('reports the newest message at least half on screen, and nothing merely rendered', () => {
    const seen = jest.fn();
    const { rerender } = render(<Messages seqs={[1, 2, 3]} onSeen={seen} />);
    const io = ScriptedObserver.last!;
    expect(io.observed.size).toBe(3);
    expect(seen).not.toHaveBeenCalled();
    io.show(2, 0.3);
    expect(seen).not.toHaveBeenCalled();
    io.show(2, 0.8);
    io.show(1, 1);
    expect(seen).toHaveBeenLastCalledWith(2);
    // A message taller than half the viewport counts once it fills half of it.
    rerender(<Messages seqs={[1, 2, 3, 4]} onSeen={seen} />);
    expect(io.observed.size).toBe(4);
    io.show(4, 0.25, 1000);
    expect(seen).toHaveBeenLastCalledWith(4);
  });

  it('holds what scrolled into view while the window was in the background until it is focused again', () => {
    const seen = jest.fn();
    render(<Messages seqs={[1, 2]} onSeen={seen} />);
    focused = false;
    ScriptedObserver.last!.show(2, 1);
    expect(seen).not.toHaveBeenCalled();
    focused = true;
    act(() => void window.dispatchEvent(new Event('focus')));
    expect(seen).toHaveBeenLastCalledWith(2);
  });

  it('without an IntersectionObserver, counts the newest rendered message while focused', () => {
    delete (globalThis as { IntersectionObserver?: unknown }).IntersectionObserver;
    const seen = jest.fn();
    focused = false;
    const { rerender } = render(<Messages seqs={[5, 6]} onSeen={seen} />);
    expect(seen).not.toHaveBeenCalled();
    focused = true;
    rerender(<Messages seqs={[5, 6, 7]} onSeen={seen} />);
    expect(seen).toHaveBeenLastCalledWith(7);
  });
});

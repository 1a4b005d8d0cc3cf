import * as React from 'react';

import { visibleRange } from './virtualRange';

export interface IVirtualRows {
  /** Index of the first row to render. */
  start: number;
  /** One past the last row to render. */
  end: number;
  /** Attach to the scrolling element. */
  ref: React.RefObject<HTMLDivElement>;
  onScroll: () => void;
}

/**
 * Which of ``count`` fixed-height rows are in (or near) the scroller's viewport, so a
 * list of thousands renders a few dozen elements.
 */
export function useVirtualRows(
  count: number,
  rowHeight: number,
  overscan = 8
): IVirtualRows {
  const ref = React.useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = React.useState({ top: 0, height: 600 });

  const measure = React.useCallback(() => {
    const node = ref.current;
    if (node) {
      setViewport(previous =>
        previous.top === node.scrollTop && previous.height === node.clientHeight
          ? previous
          : { top: node.scrollTop, height: node.clientHeight }
      );
    }
  }, []);

  React.useLayoutEffect(() => {
    const node = ref.current;
    if (!node) {
      return;
    }
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(node);
    return () => observer.disconnect();
  }, [measure]);

  const { start, end } = visibleRange(
    count,
    rowHeight,
    viewport.top,
    viewport.height,
    overscan
  );
  return { start, end, ref, onScroll: measure };
}

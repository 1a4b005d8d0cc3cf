/** Which of `count` fixed-height rows a scroller shows: pure arithmetic, no DOM. */
export interface IRange {
  /** Index of the first row to render. */
  start: number;
  /** One past the last row to render. */
  end: number;
}

export function visibleRange(
  count: number,
  rowHeight: number,
  scrollTop: number,
  viewportHeight: number,
  overscan = 8
): IRange {
  if (count <= 0 || rowHeight <= 0) {
    return { start: 0, end: 0 };
  }
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.min(count, Math.max(0, first - overscan));
  return { start, end: Math.min(count, first + visible + overscan) };
}

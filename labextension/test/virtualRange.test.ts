import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { visibleRange } from '../src/components/virtualRange';

describe('visibleRange', () => {
  it('renders the rows in view plus the overscan', () => {
    // 600 px of 30 px rows at the top: rows 0..21 visible, + 8 overscan below
    assert.deepEqual(visibleRange(5000, 30, 0, 600, 8), { start: 0, end: 29 });
  });

  it('follows the scroll position', () => {
    const range = visibleRange(5000, 30, 30 * 1000, 600, 8);
    assert.deepEqual(range, { start: 992, end: 1029 });
    assert.ok(range.end - range.start < 200);
  });

  it('stays inside the list', () => {
    assert.deepEqual(visibleRange(10, 30, 30 * 9, 600, 8), {
      start: 1,
      end: 10
    });
    assert.deepEqual(visibleRange(0, 30, 0, 600), { start: 0, end: 0 });
    assert.deepEqual(visibleRange(10, 30, -50, 600, 2), { start: 0, end: 10 });
  });
});

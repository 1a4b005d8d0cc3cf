import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  compactJson,
  exactTime,
  formatTime,
  relativeTime,
  setDisplayLocale
} from '../src/components/time';

describe('relativeTime', () => {
  const now = Date.UTC(2026, 0, 10, 12, 0, 0);

  it('says how long ago, in the largest unit that fits', () => {
    setDisplayLocale('en');
    assert.equal(relativeTime(now - 30_000, now), '30 seconds ago');
    assert.equal(relativeTime(now - 3 * 60_000, now), '3 minutes ago');
    assert.equal(relativeTime(now - 2 * 3600_000, now), '2 hours ago');
    assert.equal(relativeTime(now - 24 * 3600_000, now), 'yesterday');
    assert.equal(relativeTime(now + 3600_000, now), 'in 1 hour');
    assert.equal(relativeTime(null, now), '');
  });

  it('speaks the display language', () => {
    setDisplayLocale('zh_TW');
    assert.equal(relativeTime(now - 3 * 60_000, now), '3 分鐘前');
    setDisplayLocale(undefined);
  });
});

describe('exactTime and formatTime', () => {
  it('give the instant, and nothing for an unknown time', () => {
    assert.equal(exactTime(0), '1970-01-01T00:00:00.000Z');
    assert.equal(exactTime(null), '');
    assert.equal(formatTime(null), '');
    assert.notEqual(formatTime(0), '');
  });
});

describe('compactJson', () => {
  it('keeps rows of plain values on one line', () => {
    const text = compactJson({
      data: [
        [1, 2],
        [3, 4]
      ],
      columns: ['a', 'b']
    });
    assert.match(text, /\[1, 2\]/);
    assert.match(text, /"columns": \["a", "b"\]/);
    assert.deepEqual(JSON.parse(text), {
      data: [
        [1, 2],
        [3, 4]
      ],
      columns: ['a', 'b']
    });
  });

  it('renders nothing for undefined', () => {
    assert.equal(compactJson(undefined), '');
  });
});

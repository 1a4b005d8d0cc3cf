import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { TranslationBundle } from '@jupyterlab/translation';

import { checkDrafts, splitSummary, withCanary } from '../src/traffic';

/** The translator's English: %1, %2… replaced in order. */
const trans = {
  __: (text: string, ...args: unknown[]) =>
    args.reduce<string>(
      (out, a, i) => out.replace(`%${i + 1}`, String(a)),
      text
    )
} as unknown as TranslationBundle;

describe('withCanary', () => {
  it('puts the canary beside one stable entry', () => {
    assert.deepEqual(
      withCanary(
        [{ model_uri: 'models:/m/1', weight: 100 }],
        'models:/m/2',
        10
      ),
      [
        { model_uri: 'models:/m/1', weight: 90 },
        { model_uri: 'models:/m/2', weight: 10 }
      ]
    );
  });

  it('keeps the others in proportion, summing to 100', () => {
    const split = withCanary(
      [
        { model_uri: 'models:/m/1', weight: 70 },
        { model_uri: 'models:/m/2', weight: 30 }
      ],
      'models:/m/3',
      15
    );
    assert.deepEqual(
      split.map(s => s.weight),
      [60, 25, 15]
    );
  });

  it('replaces an entry of the same URI instead of doubling it', () => {
    const split = withCanary(
      [
        { model_uri: 'models:/m/1', weight: 80 },
        { model_uri: 'models:/m/2', weight: 20 }
      ],
      'models:/m/2',
      40
    );
    assert.deepEqual(split, [
      { model_uri: 'models:/m/1', weight: 60 },
      { model_uri: 'models:/m/2', weight: 40 }
    ]);
  });
});

describe('checkDrafts', () => {
  it('accepts a split of distinct URIs summing to 100', () => {
    const rows = [
      { model_uri: 'models:/m/1', weight: 90 },
      { model_uri: 'models:/m@canary', weight: 10 }
    ];
    assert.equal(checkDrafts(rows, trans), null);
  });

  it('says what is wrong', () => {
    assert.match(
      checkDrafts([{ model_uri: 'models:/m/1', weight: 90 }], trans) ?? '',
      /sum to 90/
    );
    assert.match(
      checkDrafts([{ model_uri: 'models:/m/', weight: 100 }], trans) ?? '',
      /models:\//
    );
    const twice = [
      { model_uri: 'models:/m/1', weight: 50 },
      { model_uri: 'models:/m/1', weight: 50 }
    ];
    assert.match(checkDrafts(twice, trans) ?? '', /at most once/);
  });
});

describe('splitSummary', () => {
  it('names versions and aliases with their weights', () => {
    assert.equal(
      splitSummary(
        [
          { model_uri: 'models:/m/1', weight: 90, version: '1' },
          { model_uri: 'models:/m@canary', weight: 10, version: '3' }
        ],
        trans
      ),
      'v1 90 % · @canary (v3) 10 %'
    );
  });
});

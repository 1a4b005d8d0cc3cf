import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { aliasUri, parseModelUri, versionUri } from '../src/modelUri';

describe('parseModelUri', () => {
  it('reads a pinned version', () => {
    assert.deepEqual(parseModelUri('models:/iris/3'), {
      name: 'iris',
      version: '3',
      alias: null
    });
  });

  it('reads an alias, and names with spaces, % and unicode', () => {
    assert.deepEqual(parseModelUri(' models:/my model %1 模型@champion '), {
      name: 'my model %1 模型',
      version: null,
      alias: 'champion'
    });
  });

  it('refuses what is not a model URI', () => {
    for (const text of [
      '',
      'models:/',
      'models:/iris',
      'models:/iris/0',
      'models:/iris/v3',
      'models:/a/b/3',
      'runs:/abc/model',
      'models:/iris@',
      'models:/iris@bad alias'
    ]) {
      assert.equal(parseModelUri(text), null, text);
    }
  });

  it('round-trips what it builds', () => {
    assert.equal(parseModelUri(versionUri('x y', '12'))?.version, '12');
    assert.equal(parseModelUri(aliasUri('x y', 'prod'))?.alias, 'prod');
  });
});

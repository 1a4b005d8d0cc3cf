import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  IPageArgs,
  isPageArgs,
  pageId,
  pageLink,
  pageOfSearch,
  parseLinkValue,
  searchWithoutLink
} from '../src/pages';

const PAGES: IPageArgs[] = [
  { page: 'model', group: 'team a', model: 'wine "quality" 100% ?#+ it\'s' },
  { page: 'version', group: 'team', model: '鳶尾花 🌸', version: '12' },
  { page: 'compare', group: 'team', model: 'iris', versions: ['3', '1'] },
  { page: 'deployment', group: 'team', id: 'iris-prod-a1b2c3' },
  { page: 'notebook', group: 'team', path: 'work/train model.ipynb' }
];

describe('deep links', () => {
  it('round-trip every page, awkward names included', () => {
    for (const args of PAGES) {
      const link = pageLink('http://127.0.0.1:8888/user/a/lab/', args);
      assert.ok(
        link.startsWith('http://127.0.0.1:8888/user/a/lab?primehub-models=')
      );
      assert.deepEqual(pageOfSearch(new URL(link).search), args, link);
    }
  });

  it('name nothing when the value is not a page', () => {
    for (const value of [
      '',
      'team',
      'team/models',
      'team/models/iris/v2',
      'team/models/iris/compare/1',
      'team/other/x',
      'team/models/%E0%A4%A'
    ]) {
      assert.equal(parseLinkValue(value), null, value);
    }
  });

  it('leave the rest of the query when taken out', () => {
    assert.equal(
      searchWithoutLink('?reset&primehub-models=a%2Fmodels%2Fb'),
      '?reset='
    );
    assert.equal(searchWithoutLink('?primehub-models=a%2Fmodels%2Fb'), '');
  });
});

describe('pages', () => {
  it('have one id per thing', () => {
    const ids = new Set(PAGES.map(pageId));
    assert.equal(ids.size, PAGES.length);
    assert.equal(
      pageId({ page: 'version', group: 'team', model: 'iris', version: '2' }),
      pageId({ page: 'version', group: 'team', model: 'iris', version: '2' })
    );
  });

  it('are recognised when restored, and nothing else is', () => {
    for (const args of PAGES) {
      assert.ok(isPageArgs(JSON.parse(JSON.stringify(args))));
    }
    for (const value of [
      null,
      'x',
      {},
      { page: 'model', group: 'g' },
      { page: 'x', group: 'g' }
    ]) {
      assert.equal(isPageArgs(value), false, JSON.stringify(value));
    }
  });
});

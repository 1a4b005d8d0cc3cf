import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { backFromDeployment, tabOf } from '../src/components/navigation';

describe('navigation', () => {
  it('puts each view under its tab', () => {
    assert.equal(tabOf({ kind: 'models' }), 'models');
    assert.equal(
      tabOf({ kind: 'version', model: 'm', version: '1' }),
      'models'
    );
    assert.equal(tabOf({ kind: 'deployment', id: 'd' }), 'deployments');
  });

  it('goes back from a deployment to where it was opened', () => {
    const from = { kind: 'versions', model: 'm' } as const;
    assert.deepEqual(
      backFromDeployment({ kind: 'deployment', id: 'd', from }),
      from
    );
    assert.deepEqual(backFromDeployment({ kind: 'deployment', id: 'd' }), {
      kind: 'deployments'
    });
    const nested = { kind: 'deployment', id: 'e' } as const;
    assert.deepEqual(
      backFromDeployment({ kind: 'deployment', id: 'd', from: nested }),
      { kind: 'deployments' }
    );
  });
});

import * as React from 'react';

import { PrimeHubModelsModel } from '../model';

/** Re-render whenever the model's state changes (the model owns it; views only read). */
export function useModelState(model: PrimeHubModelsModel): number {
  const [, setTick] = React.useState(0);
  React.useEffect(() => {
    const changed = () => setTick(n => n + 1);
    model.stateChanged.connect(changed);
    return () => {
      model.stateChanged.disconnect(changed);
    };
  }, [model]);
  return model.revision;
}

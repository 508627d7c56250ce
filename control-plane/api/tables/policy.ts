/** The PodDisruptionBudget printer. */
import type { TableDef } from '../registry.js';
import { AGE_COLUMN, NAME_COLUMN, ageOf, column, nameOf } from './columns.js';

/** An IntOrString budget as text, `N/A` when unset. */
const budget = (v: unknown): string => (v === undefined || v === null ? 'N/A' : String(v));

export const podDisruptionBudgetTable: TableDef = {
  columns: [
    NAME_COLUMN,
    column('Min Available', 'string', 'The minimum number of pods that must be available.'),
    column('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    column('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    AGE_COLUMN,
  ],
  row(pdb, now) {
    return [nameOf(pdb), budget(pdb.spec?.minAvailable), budget(pdb.spec?.maxUnavailable), pdb.status?.disruptionsAllowed ?? 0, ageOf(pdb, now)];
  },
};

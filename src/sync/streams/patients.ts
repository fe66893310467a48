/**
 * The patients stream: Cliniko patients → Tradify customers, one {@link syncPatient} per row of
 * the shared page loop.
 *
 * @module
 */
import type { ClinikoPatient } from '../../cliniko/schemas/patient.js';
import { loadPatientStates, syncPatient, type PatientState } from './patient-sync.js';
import type { StreamHandler } from './runner.js';
import { PendingTracker } from './source.js';

const STREAM = 'patients';

/** The patients stream's handler for the shared page loop. */
export function patientsHandler(): StreamHandler<ClinikoPatient, Map<string, PatientState>> {
  let pending: PendingTracker | undefined;
  return {
    stream: STREAM,
    skipSeen: false,
    changes: (run, since) => {
      pending = new PendingTracker(run.counters.pending, STREAM);
      return pending.track(run.options.cliniko.patients.changes({ since, signal: run.signal }));
    },
    prepare: (run, rows) => {
      pending?.started(rows);
      return loadPatientStates(run, rows.map((r) => r.id));
    },
    syncOne: async (run, row, work, states) => {
      await syncPatient(run, row, states.get(row.id) ?? { link: undefined, hash: undefined }, work);
    },
  };
}

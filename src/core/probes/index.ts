// Public surface of the probe set and stress-test results.
export { isProbeSetSize, loadProbeSet, parseProbeSet, probeFileHash, ProbeSetError, selectProbes } from './probeSet';
export { slopeOf, summarize, withTrajectory } from './result';
export type * from './result';
export { compareStressTests, regressionFailure } from './compare';
export type * from './compare';
export type * from './types';

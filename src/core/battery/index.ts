// Public surface of the persona battery.
export { BatteryError, batteryHash, loadBattery, parseBattery, selectBattery } from './battery';
export type * from './types';

// What background loops share: waking them after a commit and sleeping until then; re-exported by libs/messaging/src/index.ts.
export { DueTimer } from './due-timer.js';
export { WakeSignal, type SleepOptions } from './wake-signal.js';

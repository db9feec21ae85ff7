// The model worker is freed after the configured idle time, never while work runs.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { IdleShutdown } from '../../../src/extension/idleShutdown';

const MINUTE = 60_000;

function setup(minutes: number): { idle: IdleShutdown; calls: () => number } {
  mock.timers.enable({ apis: ['setTimeout'] });
  let n = 0;
  const idle = new IdleShutdown(minutes, () => n++);
  return { idle, calls: () => n };
}

test('fires once, the idle time after the last work ended', (t) => {
  t.after(() => mock.timers.reset());
  const { idle, calls } = setup(10);
  assert.equal(idle.pending, false, 'nothing to free before any work');
  idle.begin()();
  mock.timers.tick(10 * MINUTE - 1);
  assert.equal(calls(), 0);
  mock.timers.tick(1);
  assert.equal(calls(), 1);
  mock.timers.tick(60 * MINUTE);
  assert.equal(calls(), 1, 'one shutdown per idle stretch');
});

test('work in flight holds the shutdown off; new work restarts the countdown', (t) => {
  t.after(() => mock.timers.reset());
  const { idle, calls } = setup(5);
  const endA = idle.begin();
  const endB = idle.begin();
  endA();
  mock.timers.tick(30 * MINUTE);
  assert.equal(calls(), 0, 'B is still running');
  endB();
  endB(); // a second end() of the same work is ignored
  mock.timers.tick(4 * MINUTE);
  idle.begin()();
  mock.timers.tick(4 * MINUTE);
  assert.equal(calls(), 0, 'the countdown restarted after the new work');
  mock.timers.tick(1 * MINUTE);
  assert.equal(calls(), 1);
});

test('0 minutes never shuts down; changing the setting restarts a running countdown', (t) => {
  t.after(() => mock.timers.reset());
  const { idle, calls } = setup(0);
  idle.begin()();
  mock.timers.tick(24 * 60 * MINUTE);
  assert.equal(calls(), 0);
  idle.setMinutes(2);
  assert.equal(idle.pending, false, 'no countdown was running, so none starts');
  idle.begin()();
  mock.timers.tick(1 * MINUTE);
  idle.setMinutes(3);
  mock.timers.tick(2 * MINUTE);
  assert.equal(calls(), 0, 'the new 3 minutes count from the change');
  mock.timers.tick(1 * MINUTE);
  assert.equal(calls(), 1);
});

test('during() ends the work when it throws too', async (t) => {
  t.after(() => mock.timers.reset());
  const { idle, calls } = setup(1);
  await assert.rejects(
    idle.during(() => Promise.reject(new Error('boom'))),
    /boom/,
  );
  assert.equal(idle.pending, true);
  mock.timers.tick(MINUTE);
  assert.equal(calls(), 1);
  idle.dispose();
});

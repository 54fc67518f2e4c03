// setTimeout / setInterval and their clear functions: the Python loop keeps the clock and fires them.
(lib) => {
  "use strict";

  const { state, fail } = lib;
  const timers = new Map();
  let timerCount = 0;
  const MAX_DELAY_MS = 2147483647;

  function __alomaSetTimer(callback, delay, args, repeat) {
    if (typeof callback !== "function") throw new TypeError("the callback must be a function");
    const ms = Number(delay);
    const id = ++timerCount;
    // As in browsers, at most 2^31 - 1 ms (some 25 days, far beyond any run's wall time): a delay
    // of Infinity would not cross to Python as JSON.
    const wait = ms > 0 ? (ms < MAX_DELAY_MS ? ms : MAX_DELAY_MS) : 0;
    timers.set(id, { callback, args, wait, repeat });
    state.outbox.push({ kind: "timer", id, delay: wait });
    return id;
  }

  function __alomaClearTimer(id) {
    if (timers.delete(id)) state.outbox.push({ kind: "clear", id });
  }

  function __alomaFire(id) {
    const timer = timers.get(id);
    if (timer === undefined) return;
    if (timer.repeat) state.outbox.push({ kind: "timer", id, delay: timer.wait });
    else timers.delete(id);
    try {
      timer.callback(...timer.args);
    } catch (error) {
      fail(error);
    }
  }

  return {
    setTimeout: function __alomaSetTimeout(callback, delay, ...args) {
      return __alomaSetTimer(callback, delay, args, false);
    },
    setInterval: function __alomaSetInterval(callback, delay, ...args) {
      return __alomaSetTimer(callback, delay, args, true);
    },
    clearTimeout: function __alomaClearTimeout(id) {
      __alomaClearTimer(id);
    },
    clearInterval: function __alomaClearInterval(id) {
      __alomaClearTimer(id);
    },
    fire: __alomaFire,
  };
};

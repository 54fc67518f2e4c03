// `task` and `step`: the task's metadata, and the actions a run requests (taken only if it commits).
(lib) => {
  "use strict";

  const { input, record, apply, hasOwn, isArray, stringify, parse, isPlainObject } = lib;
  const actions = {
    complete: false,
    result: null,
    ignore: false,
    name: null,
    tags: null,
    timeout_ms: null,
    complete_on_expire: false,
    expire_result: null,
    park_ms: null,
    subtasks: [],
  };
  record.actions = actions;
  let taskName = input.task.name;
  let taskTags = input.task.tags.slice();

  function __alomaSnapshot(value, what) {
    if (value === undefined) return null;
    let text;
    try {
      text = stringify(value);
    } catch (e) {
      if (lib.load("bridge").isLimitError(e)) throw e;
      throw new TypeError(what + " must be JSON: " + String(e.message));
    }
    if (text === undefined) throw new TypeError(what + " must be JSON, not a " + typeof value);
    return parse(text);
  }

  // A year and a day: timers are stored as epoch milliseconds in 13-digit sort keys.
  const MAX_TIMER_MS = 366 * 24 * 3600 * 1000;

  function __alomaCheckMs(value, what) {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > MAX_TIMER_MS) {
      throw new TypeError(what + " takes a number of milliseconds from 0 to " + MAX_TIMER_MS + " (366 days)");
    }
    return Math.round(value);
  }

  const task = Object.freeze({
    id: function __alomaTaskId() {
      return input.task.id;
    },
    name: function __alomaTaskName(name) {
      if (arguments.length === 0) return taskName;
      if (typeof name !== "string") throw new TypeError("task.name(name) takes a string");
      taskName = name;
      actions.name = name;
      return undefined;
    },
    tags: function __alomaTaskTags(tags) {
      if (arguments.length === 0) return taskTags.slice();
      if (!isArray(tags) || tags.some(function __alomaNotString(tag) { return typeof tag !== "string"; })) {
        throw new TypeError("task.tags(tags) takes an array of strings");
      }
      taskTags = tags.slice();
      actions.tags = tags.slice();
      return undefined;
    },
    config: function __alomaTaskConfig(key) {
      return apply(hasOwn, input.config, [key]) ? input.config[key] : undefined;
    },
    complete: function __alomaTaskComplete(result) {
      actions.complete = true;
      actions.result = __alomaSnapshot(result, "task.complete(result)");
    },
    ignore: function __alomaTaskIgnore() {
      actions.ignore = true;
    },
    timeout: function __alomaTaskTimeout(ms) {
      actions.timeout_ms = __alomaCheckMs(ms, "task.timeout(ms)");
    },
    completeOnExpire: function __alomaTaskCompleteOnExpire(result) {
      actions.complete_on_expire = true;
      actions.expire_result = __alomaSnapshot(result, "task.completeOnExpire(result)");
    },
    park: function __alomaTaskPark(ms) {
      actions.park_ms = __alomaCheckMs(ms, "task.park(ms)");
    },
    subtask: function __alomaTaskSubtask(name, data, options) {
      if (name !== undefined && name !== null && typeof name !== "string") {
        throw new TypeError("task.subtask(name, data, options): name must be a string");
      }
      if (!isPlainObject(data)) {
        throw new TypeError("task.subtask(name, data, options): data must be an object");
      }
      const opts = options === undefined ? {} : options;
      if (!isPlainObject(opts)) throw new TypeError("task.subtask options must be an object");
      Object.keys(opts).forEach(function __alomaKnownOption(key) {
        if (key !== "into" && key !== "waitFor") {
          throw new TypeError("task.subtask options: unknown option " + stringify(key) + " (into, waitFor)");
        }
      });
      if (opts.into !== undefined) lib.load("connectors").intoPath(opts.into);
      actions.subtasks.push({
        name: typeof name === "string" ? name : null,
        data: __alomaSnapshot(data, "task.subtask data"),
        into: opts.into === undefined ? null : opts.into,
        wait_for: Boolean(opts.waitFor),
      });
    },
  });

  const step = Object.freeze({
    name: function __alomaStepName() {
      return input.step;
    },
    redo: function __alomaStepRedo() {
      record.redo = true;
    },
  });

  return { task, step };
};

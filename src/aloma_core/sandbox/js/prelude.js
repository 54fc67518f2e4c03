// The globals a step's content sees (semantics.md section 4) and the bridge the Python loop drives.
//
// Python talks to this file through `globalThis.__aloma` and a few `__aloma...` globals it sets
// for one read each, always with JSON text (QuickJS objects handed to Python lose integers). The
// sandbox's scripts are evaluated after as many blank lines as the step file has, so a stack
// frame beyond `input.sourceLines` is the sandbox's own and never the step file's.
(function __alomaPrelude() {
  "use strict";

  const input = JSON.parse(globalThis.__alomaIn);
  const initialData = JSON.parse(globalThis.__alomaData);
  delete globalThis.__alomaIn;
  delete globalThis.__alomaData;
  globalThis.__alomaSeedRandom(input.seed);
  delete globalThis.__alomaSeedRandom;

  // Captured before the step runs, so a step that replaces builtins cannot change what Python reads.
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const isArray = Array.isArray;
  const getPrototypeOf = Object.getPrototypeOf;
  const hasOwn = Object.prototype.hasOwnProperty;
  const promiseThen = Promise.prototype.then;
  const ErrorCtor = Error;
  const functionToString = Function.prototype.toString;

  const state = {
    logs: [],
    logBytes: 0,
    logBreached: false,
    logBreachStack: "",
    audit: [],
    auditBytes: 0,
    auditBreached: false,
    actions: {
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
    },
    redo: false,
    exports: null,
    done: false,
    failure: null,
    outbox: [],
    calls: new Map(),
    callCount: 0,
    handled: new WeakSet(),
    timers: new Map(),
    timerCount: 0,
  };
  let taskName = input.task.name;
  let taskTags = input.task.tags.slice();

  function __alomaUtf8Length(text) {
    let bytes = 0;
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      if (unit < 0x80) bytes += 1;
      else if (unit < 0x800) bytes += 2;
      else if (unit >= 0xd800 && unit < 0xdc00 && i + 1 < text.length &&
               (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        bytes += 4;
        i++;
      } else bytes += 3;
    }
    return bytes;
  }

  // ---- formatting, as Node's console prints (objects as JSON) ----

  function __alomaIsError(value) {
    return value instanceof ErrorCtor;
  }

  const FRAME = /^at (.*) \(<input>:(\d+):(\d+)\)$/;

  // The frames of a stack that are in the step file, named after the step.
  function __alomaStackFrames(stack) {
    const frames = [];
    for (const line of String(stack || "").split("\n")) {
      const frame = FRAME.exec(line.trim());
      if (frame === null || frame[1] === "<eval>" || Number(frame[2]) > input.sourceLines) continue;
      frames.push("    at " + frame[1] + " (" + input.step + ":" + frame[2] + ":" + frame[3] + ")");
    }
    return frames;
  }

  function __alomaErrorText(error) {
    let head;
    try {
      head = String(error.name) + ": " + String(error.message);
    } catch (e) {
      head = "Error";
    }
    return [head].concat(__alomaStackFrames(error.stack)).join("\n");
  }

  function __alomaJson(value) {
    const seen = new WeakSet();
    return stringify(value, function __alomaJsonReplacer(key, item) {
      if (typeof item === "bigint") return String(item) + "n";
      if (item !== null && typeof item === "object") {
        if (seen.has(item)) return "[Circular]";
        seen.add(item);
        if (__alomaIsError(item)) return String(item.name) + ": " + String(item.message);
      }
      return item;
    });
  }

  function __alomaInspect(value) {
    switch (typeof value) {
      case "string":
        return value;
      case "number":
        return Object.is(value, -0) ? "-0" : String(value);
      case "bigint":
        return String(value) + "n";
      case "undefined":
      case "boolean":
        return String(value);
      case "symbol":
        return value.toString();
      case "function":
        return value.name ? "[Function: " + value.name + "]" : "[Function (anonymous)]";
      default:
        break;
    }
    if (value === null) return "null";
    try {
      if (__alomaIsError(value)) return __alomaErrorText(value);
      if (value instanceof Date) return isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
      const text = __alomaJson(value);
      return text === undefined ? String(value) : text;
    } catch (e) {
      try {
        return String(value);
      } catch (e2) {
        return "[object]";
      }
    }
  }

  function __alomaFormatDirective(directive, arg) {
    switch (directive) {
      case "d":
      case "i": {
        if (typeof arg === "bigint") return String(arg) + "n";
        const number = Number(arg);
        return directive === "i" ? String(Math.trunc(number)) : String(number);
      }
      case "f":
        return String(parseFloat(arg));
      case "j":
        try {
          return stringify(arg);
        } catch (e) {
          return "[Circular]";
        }
      default:
        return __alomaInspect(arg);
    }
  }

  function __alomaFormat(args) {
    const parts = [];
    let index = 0;
    if (typeof args[0] === "string" && args.length > 1) {
      index = 1;
      parts.push(args[0].replace(/%([sdifjoOc%])/g, function __alomaDirective(match, directive) {
        if (directive === "%") return "%";
        if (index >= args.length) return match;
        const arg = args[index++];
        return directive === "c" ? "" : __alomaFormatDirective(directive, arg);
      }));
    }
    for (; index < args.length; index++) parts.push(__alomaInspect(args[index]));
    return parts.join(" ");
  }

  // ---- console and audit ----

  function __alomaLog(level, args) {
    if (state.logBreached) throw new ErrorCtor("log limit of " + input.logBytes + " bytes reached");
    const message = __alomaFormat(args);
    state.logs.push([level, message]);
    state.logBytes += __alomaUtf8Length(message);
    if (state.logBytes > input.logBytes) {
      state.logBreached = true;
      state.logBreachStack = String(new ErrorCtor("").stack);
      throw new ErrorCtor("log limit of " + input.logBytes + " bytes reached");
    }
  }

  const console = {
    log: function __alomaConsoleLog(...args) { __alomaLog("log", args); },
    info: function __alomaConsoleInfo(...args) { __alomaLog("info", args); },
    warn: function __alomaConsoleWarn(...args) { __alomaLog("warn", args); },
    error: function __alomaConsoleError(...args) { __alomaLog("error", args); },
    debug: function __alomaConsoleDebug(...args) { __alomaLog("debug", args); },
  };

  const audit = {
    log: function __alomaAuditLog(...args) {
      if (state.auditBreached) throw new ErrorCtor("log limit of " + input.logBytes + " bytes reached by audit.log");
      const text = __alomaFormat(args);
      state.audit.push(text);
      state.auditBytes += __alomaUtf8Length(text);
      if (state.auditBytes > input.logBytes) {
        state.auditBreached = true;
        throw new ErrorCtor("log limit of " + input.logBytes + " bytes reached by audit.log");
      }
    },
  };

  // ---- task and step ----

  function __alomaSnapshot(value, what) {
    if (value === undefined) return null;
    let text;
    try {
      text = stringify(value);
    } catch (e) {
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

  function __alomaIsPlainObject(value) {
    if (value === null || typeof value !== "object" || isArray(value)) return false;
    const proto = getPrototypeOf(value);
    return proto === Object.prototype || proto === null;
  }

  const task = Object.freeze({
    id: function __alomaTaskId() {
      return input.task.id;
    },
    name: function __alomaTaskName(name) {
      if (arguments.length === 0) return taskName;
      if (typeof name !== "string") throw new TypeError("task.name(name) takes a string");
      taskName = name;
      state.actions.name = name;
      return undefined;
    },
    tags: function __alomaTaskTags(tags) {
      if (arguments.length === 0) return taskTags.slice();
      if (!isArray(tags) || tags.some(function __alomaNotString(tag) { return typeof tag !== "string"; })) {
        throw new TypeError("task.tags(tags) takes an array of strings");
      }
      taskTags = tags.slice();
      state.actions.tags = tags.slice();
      return undefined;
    },
    config: function __alomaTaskConfig(key) {
      return hasOwn.call(input.config, key) ? input.config[key] : undefined;
    },
    complete: function __alomaTaskComplete(result) {
      state.actions.complete = true;
      state.actions.result = __alomaSnapshot(result, "task.complete(result)");
    },
    ignore: function __alomaTaskIgnore() {
      state.actions.ignore = true;
    },
    timeout: function __alomaTaskTimeout(ms) {
      state.actions.timeout_ms = __alomaCheckMs(ms, "task.timeout(ms)");
    },
    completeOnExpire: function __alomaTaskCompleteOnExpire(result) {
      state.actions.complete_on_expire = true;
      state.actions.expire_result = __alomaSnapshot(result, "task.completeOnExpire(result)");
    },
    park: function __alomaTaskPark(ms) {
      state.actions.park_ms = __alomaCheckMs(ms, "task.park(ms)");
    },
    subtask: function __alomaTaskSubtask(name, data, options) {
      if (name !== undefined && name !== null && typeof name !== "string") {
        throw new TypeError("task.subtask(name, data, options): name must be a string");
      }
      if (!__alomaIsPlainObject(data)) {
        throw new TypeError("task.subtask(name, data, options): data must be an object");
      }
      const opts = options === undefined ? {} : options;
      if (!__alomaIsPlainObject(opts)) throw new TypeError("task.subtask options must be an object");
      Object.keys(opts).forEach(function __alomaKnownOption(key) {
        if (key !== "into" && key !== "waitFor") {
          throw new TypeError("task.subtask options: unknown option " + stringify(key) + " (into, waitFor)");
        }
      });
      if (opts.into !== undefined) __alomaIntoPath(opts.into);
      state.actions.subtasks.push({
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
      state.redo = true;
    },
  });

  // ---- connectors ----

  // A connector promise notes whether anything subscribed to it (`await`, `.then`, `.catch`
  // all call `then` on a Promise subclass), so a failed call nobody looked at still fails the run.
  class ConnectorPromise extends Promise {
    static get [Symbol.species]() {
      return Promise;
    }
  }
  Object.defineProperty(ConnectorPromise.prototype, "then", {
    value: function __alomaThen(onFulfilled, onRejected) {
      state.handled.add(this);
      return promiseThen.call(this, onFulfilled, onRejected);
    },
    writable: true,
    configurable: true,
  });

  function __alomaIntoPath(into) {
    if (typeof into !== "string" || into === "") throw new TypeError("`into` must be a dotted path like 'a.b'");
    const keys = into.split(".");
    if (keys.some(function __alomaEmptyKey(key) { return key === ""; })) {
      throw new TypeError("`into` must be a dotted path like 'a.b', got " + stringify(into));
    }
    return keys;
  }

  function __alomaWriteInto(keys, value) {
    let target = globalThis.data;
    if (target === null || typeof target !== "object") {
      throw new TypeError("cannot write a connector result into `data`: data is no longer an object");
    }
    for (let i = 0; i < keys.length - 1; i++) {
      const next = target[keys[i]];
      if (next === null || typeof next !== "object") target[keys[i]] = {};
      target = target[keys[i]];
    }
    target[keys[keys.length - 1]] = value;
  }

  function __alomaCall(namespace, method, args) {
    let sent = args;
    let into = null;
    if (__alomaIsPlainObject(args) && hasOwn.call(args, "into")) {
      into = __alomaIntoPath(args.into);
      sent = Object.assign({}, args);
      delete sent.into;
    }
    const argsText = sent === undefined ? "null" : stringify(sent);
    if (argsText === undefined) throw new TypeError("connector arguments must be JSON, not a " + typeof sent);
    const number = ++state.callCount;
    // Created here so that a rejection points at this call in the step file.
    const error = new ErrorCtor("connector call failed");
    let settle = null;
    const promise = new ConnectorPromise(function __alomaExecutor(resolve, reject) {
      settle = { resolve, reject };
    });
    state.calls.set(number, { settle, into, error, promise, rejected: false });
    state.outbox.push({ kind: "call", n: number, namespace, method, args: argsText });
    return promise;
  }

  // Names a Proxy must not turn into calls: promise and JSON machinery probes them.
  const notMethods = new Set(["then", "catch", "finally", "toJSON", "constructor", "valueOf", "toString"]);
  const namespaces = new Map();

  function __alomaNamespace(namespace) {
    if (!namespaces.has(namespace)) {
      const callNamespace = function __alomaCallNamespace(args) {
        return __alomaCall(namespace, "", args);
      };
      const methods = new Map();
      namespaces.set(namespace, new Proxy(callNamespace, {
        get: function __alomaMethod(target, key) {
          if (typeof key !== "string" || notMethods.has(key)) return undefined;
          if (!methods.has(key)) {
            methods.set(key, function __alomaCallMethod(args) {
              return __alomaCall(namespace, key, args);
            });
          }
          return methods.get(key);
        },
        set: function __alomaNoSet() { return false; },
      }));
    }
    return namespaces.get(namespace);
  }

  const connectors = new Proxy(Object.create(null), {
    get: function __alomaConnectorsGet(target, key) {
      if (typeof key !== "string" || notMethods.has(key)) return undefined;
      return __alomaNamespace(key);
    },
    set: function __alomaNoSet() { return false; },
  });

  // ---- timers: the Python loop keeps the clock and fires them ----

  function __alomaSetTimer(callback, delay, args, repeat) {
    if (typeof callback !== "function") throw new TypeError("the callback must be a function");
    const ms = Number(delay);
    const id = ++state.timerCount;
    const wait = ms > 0 ? ms : 0;
    state.timers.set(id, { callback, args, wait, repeat });
    state.outbox.push({ kind: "timer", id, delay: wait });
    return id;
  }

  function __alomaClearTimer(id) {
    if (state.timers.delete(id)) state.outbox.push({ kind: "clear", id });
  }

  // ---- errors and outcome ----

  function __alomaDescribe(error) {
    if (__alomaIsError(error)) {
      let name = "Error";
      let message = "";
      let stack = "";
      try {
        name = String(error.name);
        message = String(error.message);
        stack = String(error.stack || "");
      } catch (e) {
        // An error whose properties throw still fails the run; it just says less.
      }
      return { name, message, stack };
    }
    return { name: null, message: "Uncaught " + __alomaInspect(error), stack: "" };
  }

  function __alomaFail(error) {
    if (state.failure === null) state.failure = __alomaDescribe(error);
  }

  function __alomaStart(runContent) {
    const module = globalThis.__alomaModule;
    delete globalThis.__alomaModule;
    const ran = promiseThen.call(module, function __alomaModuleLoaded() {
      if (!runContent) return undefined;
      const content = state.exports === null ? undefined : state.exports.content;
      if (typeof content !== "function") {
        throw new TypeError("the step file does not export a `content` function");
      }
      return content();
    });
    promiseThen.call(ran, function __alomaDone() {
      state.done = true;
    }, function __alomaFailed(error) {
      state.done = true;
      __alomaFail(error);
    });
  }

  function __alomaPoll() {
    const outbox = state.outbox;
    state.outbox = [];
    return stringify({ done: state.done, failed: state.failure !== null, outbox });
  }

  function __alomaSettle() {
    const outcomes = parse(globalThis.__alomaSettled);
    delete globalThis.__alomaSettled;
    for (const outcome of outcomes) {
      const call = state.calls.get(outcome.n);
      if (outcome.ok) {
        const value = parse(outcome.value);
        if (call.into !== null) {
          try {
            __alomaWriteInto(call.into, value);
          } catch (error) {
            call.error.message = error.message;
            call.rejected = true;
            call.settle.reject(call.error);
            continue;
          }
        }
        call.settle.resolve(value);
      } else {
        call.error.message = outcome.message;
        call.rejected = true;
        call.settle.reject(call.error);
      }
    }
  }

  function __alomaFire(id) {
    const timer = state.timers.get(id);
    if (timer === undefined) return;
    if (timer.repeat) state.outbox.push({ kind: "timer", id, delay: timer.wait });
    else state.timers.delete(id);
    try {
      timer.callback(...timer.args);
    } catch (error) {
      __alomaFail(error);
    }
  }

  // A failed connector call that nothing awaited or caught fails the run, like an unhandled rejection.
  function __alomaCheckUnhandled() {
    for (const call of state.calls.values()) {
      if (call.rejected && !state.handled.has(call.promise)) {
        __alomaFail(call.error);
        break;
      }
    }
    return state.failure === null ? "null" : stringify(state.failure);
  }

  function __alomaFailure() {
    return state.failure === null ? "null" : stringify(state.failure);
  }

  function __alomaRecord() {
    return stringify({
      logs: state.logs,
      logBreached: state.logBreached,
      logBreachStack: state.logBreachStack,
      audit: state.audit,
      auditBreached: state.auditBreached,
      actions: state.actions,
      redo: state.redo,
    });
  }

  function __alomaDataText() {
    const data = globalThis.data;
    if (!__alomaIsPlainObject(data)) {
      const kind = data === null ? "null" : isArray(data) ? "an array" : typeof data;
      throw new TypeError("`data` must stay a JSON object; the step left it as " + kind);
    }
    try {
      return stringify(data);
    } catch (error) {
      throw new TypeError("`data` is not JSON: " + String(error.message));
    }
  }

  function __alomaContentText() {
    return functionToString.call(state.exports.content);
  }

  function __alomaExported() {
    return state.exports;
  }

  function __alomaExportsProblem() {
    const exported = state.exports || {};
    if (typeof exported.content !== "function") return "content";
    if (!__alomaIsPlainObject(exported.condition)) return "condition";
    return "";
  }

  // ---- the globals ----

  const globals = {
    data: initialData,
    task,
    step,
    console,
    audit,
    connectors,
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
  };
  for (const name of Object.keys(globals)) {
    Object.defineProperty(globalThis, name, { value: globals[name], writable: true, configurable: true });
  }

  Object.defineProperty(globalThis, "__aloma", {
    value: Object.freeze({
      start: __alomaStart,
      poll: __alomaPoll,
      settle: __alomaSettle,
      fire: __alomaFire,
      checkUnhandled: __alomaCheckUnhandled,
      failure: __alomaFailure,
      record: __alomaRecord,
      dataText: __alomaDataText,
      exported: __alomaExported,
      contentText: __alomaContentText,
      exportsProblem: __alomaExportsProblem,
      exports: function __alomaExports(exported) {
        if (state.exports === null) state.exports = exported;
      },
    }),
  });
})();

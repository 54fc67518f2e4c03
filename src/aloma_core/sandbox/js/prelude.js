// The bridge the Python loop drives, and the globals of a step's content (semantics.md section 4).
//
// This file is compiled in every run, in a fresh context, at some 1,500 machine instructions a
// token: it holds only what every run needs, and each token here costs every run. That is the
// input, `data`, and the calls Python makes in every run through `__aloma` (always with JSON text:
// QuickJS objects handed to Python lose integers). Everything else is in the sandbox library,
// the other files in this folder, handed over as one text; `input.lib` gives each file's span in
// it, then its globals (scripts.py). A library file is an arrow function from `lib` to its
// exports. Its globals start as configurable accessors that evaluate the file on first touch and
// then replace themselves with a plain writable value, so a run pays only for what it uses.
//
// Neither this file nor a library file opens with a parenthesis: QuickJS scans a parenthesised
// expression to its end to see whether `=>` follows, which for a whole file costs a second pass.
// The sandbox's code starts after as many blank lines as the step file has (library files too),
// so a stack frame beyond `input.sourceLines` is the sandbox's own and never the step file's.
void function __alomaPrelude(global, evalScript) {
  "use strict";

  const input = JSON.parse(global.__alomaIn);
  // Only the library's own files load, whatever name `__aloma.load` is given.
  Object.setPrototypeOf(input.lib, null);
  const text = global.__alomaLib;
  const padding = "\n".repeat(input.sourceLines + 1);
  const state = { exports: null, done: false, failure: null, outbox: [] };
  const loaded = { __proto__: null };
  // Shared with the library files. Builtins are captured before the step runs, so that a step
  // that replaces them changes neither what Python reads nor how the library behaves.
  const lib = {
    __proto__: null,
    global,
    input,
    state,
    text,
    evalScript,
    // What Python reads back after the run (record.py); the library files fill it in.
    record: {},
    load: (name) => loaded[name] || (loaded[name] = evalScript(padding + lib.apply(lib.slice, text, input.lib[name]))(lib)),
    fail(error) {
      if (state.failure !== null) return;
      // Stays if describing the error fails: it runs on a shallow stack (a promise job or timer
      // callback), so only memory can have run out, and the run fails with the memory limit.
      state.failure = { name: "InternalError", message: "out of memory", stack: "" };
      state.failure = lib.load("bridge").describe(error);
    },
    isPlainObject(value) {
      const proto = value !== null && typeof value === "object" && !lib.isArray(value) && lib.getPrototypeOf(value);
      return proto === lib.objectPrototype || proto === null;
    },
    apply: Reflect.apply,
    define: Object.defineProperty,
    ownDescriptor: Object.getOwnPropertyDescriptor,
    getPrototypeOf: Object.getPrototypeOf,
    setPrototypeOf: Object.setPrototypeOf,
    ownKeys: Reflect.ownKeys,
    objectPrototype: Object.prototype,
    hasOwn: Object.prototype.hasOwnProperty,
    isArray: Array.isArray,
    slice: String.prototype.slice,
    stringify: JSON.stringify,
    parse: JSON.parse,
    functionToString: Function.prototype.toString,
    PromiseCtor: Promise,
    then: Promise.prototype.then,
    ErrorCtor: Error,
  };
  delete global.__alomaIn;
  delete global.__alomaLib;

  function __alomaLazy(name, file) {
    const get = () => {
      const value = lib.load(file)[name];
      const own = lib.ownDescriptor(global, name);
      if (own && own.get === get && own.configurable) {
        lib.define(global, name, { __proto__: null, value, writable: true, configurable: true });
      }
      return value;
    };
    // As if the global were a writable value: assigned in place, or shadowed on another receiver.
    const set = function __alomaLazySet(value) {
      lib.define(this, name, { __proto__: null, value, writable: true, enumerable: this !== global, configurable: true });
    };
    lib.define(global, name, { get, set, configurable: true });
  }
  for (const file in input.lib) {
    for (let i = 2; i < input.lib[file].length; i++) __alomaLazy(input.lib[file][i], file);
  }
  lib.define(global, "data", { value: input.data, writable: true, configurable: true });
  input.data = null;

  lib.define(global, "__aloma", { value: Object.freeze({
    load: lib.load,
    exports(exported) {
      state.exports = state.exports || exported;
    },
    start(runContent) {
      const ran = lib.apply(lib.then, global.__alomaModule, [() => {
        const content = state.exports && state.exports.content;
        if (!runContent) return undefined;
        if (typeof content !== "function") throw new TypeError("the step file does not export a `content` function");
        return content();
      }]);
      delete global.__alomaModule;
      lib.apply(lib.then, ran, [() => { state.done = true; }, (error) => { state.done = true; lib.fail(error); }]);
    },
    poll() {
      const outbox = state.outbox;
      state.outbox = [];
      return lib.stringify({ done: state.done, failed: state.failure !== null, outbox });
    },
    // With `unhandled`, a failed connector call that nothing awaited or caught fails the run.
    failure(unhandled) {
      if (unhandled && loaded.connectors) loaded.connectors.checkUnhandled();
      return lib.stringify(state.failure);
    },
    // A run that wrote no log, audit line or task action left the record empty: nothing of the
    // step's can run while it is written, so the walk of bridge.js (and its load) is skipped.
    record: () => (lib.ownKeys(lib.record).length === 0 ? "{}" : lib.load("bridge").recordText()),
    dataText() {
      const data = global.data;
      if (!lib.isPlainObject(data)) throw lib.load("bridge").notAnObject(data);
      try {
        return lib.stringify(data);
      } catch (error) {
        if (lib.load("bridge").isLimitError(error)) throw error;
        throw new TypeError("`data` is not JSON: " + String(error.message));
      }
    },
  }) });
}(globalThis, eval);

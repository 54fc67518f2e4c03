// The parts of the bridge that only some runs need: describing a failure, and what an upload
// reads from the step module (module.py).
(lib) => {
  "use strict";

  const { state, apply, functionToString, isArray, isPlainObject, ErrorCtor } = lib;

  function __alomaDescribe(error) {
    if (error instanceof ErrorCtor) {
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
    return { name: null, message: "Uncaught " + lib.load("log").inspect(error), stack: "" };
  }

  // QuickJS's own stack and memory errors: passed on unchanged, so that the run names its limit.
  function __alomaIsLimitError(error) {
    if (!(error instanceof ErrorCtor)) return false;
    const headline = String(error.name) + ": " + String(error.message);
    return headline === "RangeError: Maximum call stack size exceeded" || headline === "InternalError: out of memory";
  }

  // The record Python reads after the run (record.py), written without running any of the step's
  // code: it is read on the sandbox's own budget, not the run's, and a step may have planted a
  // `toJSON` getter on Object.prototype or Array.prototype. So every object and array in it is cut
  // loose from its prototype first; the step's code holds none of them, so none of it notices.
  function __alomaRecordText() {
    const { getPrototypeOf, setPrototypeOf, ownKeys } = lib;
    const pending = { __proto__: null, 0: lib.record };
    let count = 1;
    setPrototypeOf(lib.record, null);
    while (count > 0) {
      const item = pending[--count];
      const keys = ownKeys(item);
      for (let i = 0; i < keys.length; i++) {
        const value = item[keys[i]];
        if (value !== null && typeof value === "object" && getPrototypeOf(value) !== null) {
          setPrototypeOf(value, null);
          pending[count++] = value;
        }
      }
    }
    return lib.stringify(lib.record);
  }

  return {
    describe: __alomaDescribe,
    recordText: __alomaRecordText,
    isLimitError: __alomaIsLimitError,
    // Why `data` cannot be read back: the step left it something other than an object.
    notAnObject: function __alomaNotAnObject(data) {
      const kind = data === null ? "null" : isArray(data) ? "an array" : typeof data;
      return new TypeError("`data` must stay a JSON object; the step left it as " + kind);
    },
    exported: function __alomaExported() {
      return state.exports;
    },
    contentText: function __alomaContentText() {
      return apply(functionToString, state.exports.content, []);
    },
    // 'content' or 'condition' when that export is missing or of the wrong kind, else ''.
    exportsProblem: function __alomaExportsProblem() {
      const exported = state.exports || {};
      if (typeof exported.content !== "function") return "content";
      if (!isPlainObject(exported.condition)) return "condition";
      return "";
    },
  };
};

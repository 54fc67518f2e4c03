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

  return {
    describe: __alomaDescribe,
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

"""JavaScript that turns an evaluated step-file condition into its wire-form JSON text.

The sandbox evaluates a step module in QuickJS; its `condition` export holds live values (the
`String` constructor, RegExp objects) that JSON cannot carry. This script runs inside that same
context, so the conversion sees the real objects instead of a lossy `JSON.stringify` of them.
It only translates shapes; `parse_condition` then validates the result, which keeps one source
of truth for what a condition may contain.

The output is built as JSON text directly rather than as a JS object: that keeps a data key
named `__proto__` an ordinary key, and lets large integral numbers be written so that Python
reads back exactly the JavaScript double.
"""

CONDITION_TO_WIRE_JS = r"""
globalThis.__alomaConditionToWire = (function () {
  "use strict";
  const TYPES = new Map([
    [String, "string"],
    [Number, "number"],
    [Boolean, "boolean"],
    [Object, "object"],
    [Array, "array"],
  ]);

  function fail(path, problem) {
    throw new TypeError(path + ": " + problem);
  }

  function describe(value) {
    let name = "";
    try {
      const ctor = Object.getPrototypeOf(value).constructor;
      name = typeof ctor === "function" && typeof ctor.name === "string" ? ctor.name : "";
    } catch (e) {
      name = "";
    }
    return name ? name + " objects" : "objects of this kind";
  }

  function convertArray(value, path, seen) {
    const parts = [];
    for (let i = 0; i < value.length; i++) {
      const itemPath = path + "[" + i + "]";
      if (!(i in value)) fail(itemPath, "array holes are not allowed");
      parts.push(convert(value[i], itemPath, seen));
    }
    return "[" + parts.join(",") + "]";
  }

  function convertObject(value, path, seen) {
    if (Object.getOwnPropertySymbols(value).length > 0) {
      fail(path, "symbol keys are not allowed");
    }
    const parts = [];
    for (const key of Object.keys(value)) {
      parts.push(JSON.stringify(key) + ":" + convert(value[key], path + "." + key, seen));
    }
    return "{" + parts.join(",") + "}";
  }

  function convertContainer(value, path, seen) {
    const proto = Object.getPrototypeOf(value);
    if (proto === RegExp.prototype) {
      const out = { $regex: value.source };
      if (value.flags !== "") out.$flags = value.flags;
      return JSON.stringify(out);
    }
    const isArray = Array.isArray(value) && proto === Array.prototype;
    if (!isArray && proto !== Object.prototype && proto !== null) {
      fail(path, describe(value) + " are not allowed; use plain objects, arrays, regex literals, " +
        "String, Number, Boolean, Object, Array, strings, numbers, booleans or null");
    }
    if (seen.has(value)) fail(path, "circular reference");
    seen.add(value);
    try {
      return isArray ? convertArray(value, path, seen) : convertObject(value, path, seen);
    } finally {
      seen.delete(value);
    }
  }

  function convert(value, path, seen) {
    if (value === null) return "null";
    switch (typeof value) {
      case "string":
      case "boolean":
        return JSON.stringify(value);
      case "number":
        if (!Number.isFinite(value)) fail(path, String(value) + " is not allowed, numbers must be finite");
        // JSON.stringify writes 2**60 as 1152921504606847000, which Python would read back as a
        // different integer; the exponent form reads back as exactly this double.
        return Number.isInteger(value) && Math.abs(value) > 2 ** 53
          ? value.toExponential()
          : JSON.stringify(value);
      case "undefined":
        return fail(path, "undefined is not allowed (use null for absent or null)");
      case "bigint":
        return fail(path, "BigInt values are not allowed");
      case "symbol":
        return fail(path, "symbols are not allowed");
      case "function":
        if (TYPES.has(value)) return JSON.stringify({ $type: TYPES.get(value) });
        return fail(path, "functions other than String, Number, Boolean, Object, Array are not allowed");
      default:
        return convertContainer(value, path, seen);
    }
  }

  return function __alomaConditionToWire(value) {
    if (value === null || typeof value !== "object" || Array.isArray(value) ||
        Object.getPrototypeOf(value) === RegExp.prototype) {
      fail("condition", "a condition must be an object, like { customer: { email: String } }");
    }
    // join() flattens the result: QuickJS-ng keeps long concatenations as ropes, which the
    // Python binding cannot hand back.
    return [convert(value, "condition", new Set())].join("");
  };
})();
"""

// `connectors.NS.METHOD(args)`: each call leaves a request in the outbox for the Python loop,
// which settles its promise later (`settle`), writing the result `into` data when asked.
(lib) => {
  "use strict";

  const { state, apply, define, hasOwn, stringify, parse, isPlainObject, PromiseCtor, then, ErrorCtor } = lib;
  const calls = new Map();
  const handled = new WeakSet();
  let callCount = 0;

  // A connector promise notes whether anything subscribed to it (`await`, `.then`, `.catch`
  // all call `then` on a Promise subclass), so a failed call nobody looked at still fails the run.
  class ConnectorPromise extends PromiseCtor {
    static get [Symbol.species]() {
      return PromiseCtor;
    }
  }
  define(ConnectorPromise.prototype, "then", {
    __proto__: null,
    value: function __alomaThen(onFulfilled, onRejected) {
      handled.add(this);
      return apply(then, this, [onFulfilled, onRejected]);
    },
    writable: true,
    configurable: true,
  });

  // `into` of a connector call or a subtask (task.js): a dotted path into `data`.
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
    if (isPlainObject(args) && apply(hasOwn, args, ["into"])) {
      into = __alomaIntoPath(args.into);
      sent = Object.assign({}, args);
      delete sent.into;
    }
    const argsText = sent === undefined ? "null" : stringify(sent);
    if (argsText === undefined) throw new TypeError("connector arguments must be JSON, not a " + typeof sent);
    const number = ++callCount;
    // Created here so that a rejection points at this call in the step file.
    const error = new ErrorCtor("connector call failed");
    let settle = null;
    const promise = new ConnectorPromise(function __alomaExecutor(resolve, reject) {
      settle = { resolve, reject };
    });
    calls.set(number, { settle, into, error, promise, rejected: false });
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

  function __alomaReject(call, message) {
    call.error.message = message;
    call.rejected = true;
    call.settle.reject(call.error);
  }

  // Outcomes from calls.py, as JSON text in `__alomaSettled`:
  // {"n", "ok": true, "value": <JSON text>} or {"n", "ok": false, "message"}.
  function __alomaSettle() {
    const outcomes = parse(lib.global.__alomaSettled);
    delete lib.global.__alomaSettled;
    for (const outcome of outcomes) {
      const call = calls.get(outcome.n);
      if (!outcome.ok) {
        __alomaReject(call, outcome.message);
        continue;
      }
      const value = parse(outcome.value);
      if (call.into !== null) {
        try {
          __alomaWriteInto(call.into, value);
        } catch (error) {
          __alomaReject(call, error.message);
          continue;
        }
      }
      call.settle.resolve(value);
    }
  }

  function __alomaCheckUnhandled() {
    for (const call of calls.values()) {
      if (call.rejected && !handled.has(call.promise)) {
        lib.fail(call.error);
        return;
      }
    }
  }

  return { connectors, intoPath: __alomaIntoPath, settle: __alomaSettle, checkUnhandled: __alomaCheckUnhandled };
};

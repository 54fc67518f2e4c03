// `lib`: the workspace's shared libraries. Each `lib.NAME` is evaluated on first touch, once per
// run, and then stays a plain value; a library may use another through `lib.OTHER`, and one
// that reaches back to a library still loading fails with the cycle spelled out.
(lib) => {
  "use strict";

  const { input, define, apply, slice, text, evalScript, ErrorCtor } = lib;
  const spans = input.libraries || {};
  const shared = { __proto__: null };
  const loading = [];

  function __alomaCycle(name) {
    let chain = "";
    let inCycle = false;
    for (let i = 0; i < loading.length; i++) {
      inCycle = inCycle || loading[i] === name;
      if (inCycle) chain += "lib/" + loading[i] + ".js -> ";
    }
    return new ErrorCtor("libraries use each other in a cycle: " + chain + "lib/" + name + ".js");
  }

  function __alomaLoadLibrary(name) {
    for (let i = 0; i < loading.length; i++) {
      if (loading[i] === name) throw __alomaCycle(name);
    }
    const span = spans[name];
    let padding = "";
    for (let i = 0; i < span[2]; i++) padding += "\n";
    loading[loading.length] = name;
    try {
      return evalScript(padding + apply(slice, text, [span[0], span[1]]))();
    } finally {
      loading.length -= 1;
    }
  }

  for (const name in spans) {
    const get = () => {
      const value = __alomaLoadLibrary(name);
      define(shared, name, { __proto__: null, value, enumerable: true, writable: false, configurable: false });
      return value;
    };
    define(shared, name, { __proto__: null, get, enumerable: true, configurable: true });
  }
  return { lib: shared };
};

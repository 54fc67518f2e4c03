// `console` and `audit`: one line per call, arguments joined by spaces as Node prints them
// (objects as JSON, errors with their frames in the step file), bounded by the log limit.
(lib) => {
  "use strict";

  const { input, record, stringify, apply, hasOwn, slice, ErrorCtor } = lib;
  record.logs = [];
  record.logBreached = false;
  record.logBreachStack = "";
  record.audit = [];
  record.auditBreached = false;
  let logBytes = 0;
  let auditBytes = 0;

  // Counted only until the bytes pass `most`: a huge line costs the run no more than the room left.
  // A line counts one byte more, for its line break (logs.py): empty lines fill the log too.
  function __alomaUtf8Length(text, most) {
    let bytes = 0;
    for (let i = 0; i < text.length && bytes <= most; i++) {
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

  // A line past the limit is kept only as far as Python needs to cut it at the limit (logs.py):
  // each UTF-16 unit is at least one byte, so `room + 1` units reach past it. Python masks config
  // values before it cuts, so the kept part reaches a whole masked value further: a value the
  // cut would split is either masked whole or cut away whole.
  let longestValue = 0;
  for (const key in input.config) {
    const length = apply(hasOwn, input.config, [key]) ? stringify(input.config[key]).length : 0;
    if (length > longestValue) longestValue = length;
  }

  function __alomaClip(text, bytes, room) {
    return bytes > room ? apply(slice, text, [0, room + 1 + longestValue]) : text;
  }

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

  function __alomaLog(level, args) {
    if (record.logBreached) throw new ErrorCtor("log limit of " + input.logBytes + " bytes reached");
    const message = __alomaFormat(args);
    const room = input.logBytes - logBytes;
    const bytes = __alomaUtf8Length(message, room) + 1;
    record.logs.push([level, __alomaClip(message, bytes, room)]);
    logBytes += bytes;
    if (logBytes > input.logBytes) {
      record.logBreached = true;
      record.logBreachStack = String(new ErrorCtor("").stack);
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
      if (record.auditBreached) throw new ErrorCtor("log limit of " + input.logBytes + " bytes reached by audit.log");
      const text = __alomaFormat(args);
      const room = input.logBytes - auditBytes;
      const bytes = __alomaUtf8Length(text, room) + 1;
      record.audit.push(__alomaClip(text, bytes, room));
      auditBytes += bytes;
      if (auditBytes > input.logBytes) {
        record.auditBreached = true;
        throw new ErrorCtor("log limit of " + input.logBytes + " bytes reached by audit.log");
      }
    },
  };

  return { console, audit, inspect: __alomaInspect };
};

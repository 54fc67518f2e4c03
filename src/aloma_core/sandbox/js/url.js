// URL and URLSearchParams after the WHATWG URL standard, for what steps do with them: parse and
// build http(s) URLs, resolve relative ones, read and edit query strings. Hosts are lowercased,
// IPv4 numbers normalised and non-ASCII labels punycoded; IPv6 literals are kept as written
// (lowercased) rather than compressed, and file: URLs get no Windows drive-letter rules.
(lib) => {
  "use strict";

  const { TextEncoder, TextDecoder } = lib.load("encoding");
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const DEFAULT_PORTS = { ftp: 21, file: null, http: 80, https: 443, ws: 80, wss: 443 };
  const SCHEME = /^([A-Za-z][A-Za-z0-9+\-.]*):/;
  const FORBIDDEN_HOST = /[\u0000-\u001f\u007f #%/:<>?@[\\\]^|]/;

  function __alomaIsSpecial(scheme) {
    return Object.prototype.hasOwnProperty.call(DEFAULT_PORTS, scheme);
  }

  // ---- percent-encoding ----

  const C0 = function __alomaC0(c) { return c < 0x20 || c > 0x7e; };
  const FRAGMENT = function __alomaFragmentSet(c) { return C0(c) || ' "<>`'.includes(String.fromCharCode(c)); };
  const QUERY = function __alomaQuerySet(c) { return C0(c) || ' "#<>'.includes(String.fromCharCode(c)); };
  const SPECIAL_QUERY = function __alomaSpecialQuerySet(c) { return QUERY(c) || c === 0x27; };
  const PATH = function __alomaPathSet(c) { return QUERY(c) || "?`{}".includes(String.fromCharCode(c)); };
  const USERINFO = function __alomaUserinfoSet(c) { return PATH(c) || "/:;=@[\\]^|".includes(String.fromCharCode(c)); };

  function __alomaHexByte(byte) {
    return "%" + (byte < 16 ? "0" : "") + byte.toString(16).toUpperCase();
  }

  function __alomaPercentEncode(text, inSet) {
    let out = "";
    for (const char of text) {
      const code = char.codePointAt(0);
      if (code < 0x80 && !inSet(code)) {
        out += char;
      } else {
        for (const byte of encoder.encode(char)) out += __alomaHexByte(byte);
      }
    }
    return out;
  }

  function __alomaPercentDecodeBytes(text) {
    const bytes = encoder.encode(text);
    const out = new Uint8Array(bytes.length);
    let length = 0;
    for (let i = 0; i < bytes.length; i++) {
      const hex = String.fromCharCode(bytes[i + 1], bytes[i + 2]);
      if (bytes[i] === 0x25 && i + 2 < bytes.length && /^[0-9A-Fa-f]{2}$/.test(hex)) {
        out[length++] = parseInt(hex, 16);
        i += 2;
      } else {
        out[length++] = bytes[i];
      }
    }
    return out.subarray(0, length);
  }

  function __alomaPercentDecode(text) {
    return decoder.decode(__alomaPercentDecodeBytes(text));
  }

  // ---- hosts ----

  function __alomaPunycode(label) {
    const BASE = 36;
    const TMIN = 1;
    const TMAX = 26;
    const points = Array.from(label, function __alomaPoint(char) { return char.codePointAt(0); });
    const digit = function __alomaDigit(d) { return String.fromCharCode(d < 26 ? 97 + d : 22 + d); };
    const adapt = function __alomaAdapt(delta, count, first) {
      let d = first ? Math.floor(delta / 700) : delta >> 1;
      d += Math.floor(d / count);
      let k = 0;
      while (d > ((BASE - TMIN) * TMAX) >> 1) {
        d = Math.floor(d / (BASE - TMIN));
        k += BASE;
      }
      return k + Math.floor(((BASE - TMIN + 1) * d) / (d + 38));
    };
    let output = points.filter(function __alomaBasic(p) { return p < 0x80; })
      .map(function __alomaChar(p) { return String.fromCharCode(p); }).join("");
    const basic = output.length;
    let handled = basic;
    if (basic > 0) output += "-";
    let n = 128;
    let delta = 0;
    let bias = 72;
    while (handled < points.length) {
      const m = Math.min(...points.filter(function __alomaAbove(p) { return p >= n; }));
      delta += (m - n) * (handled + 1);
      n = m;
      for (const point of points) {
        if (point < n) delta++;
        if (point !== n) continue;
        let q = delta;
        for (let k = BASE; ; k += BASE) {
          const t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
          if (q < t) break;
          output += digit(t + ((q - t) % (BASE - t)));
          q = Math.floor((q - t) / (BASE - t));
        }
        output += digit(q);
        bias = adapt(delta, handled + 1, handled === basic);
        delta = 0;
        handled++;
      }
      delta++;
      n++;
    }
    return "xn--" + output;
  }

  function __alomaIPv4Number(part) {
    if (part === "") return NaN;
    if (/^0[xX][0-9A-Fa-f]*$/.test(part)) return part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    if (/^0[0-7]+$/.test(part)) return parseInt(part.slice(1), 8);
    return /^\d+$/.test(part) ? parseInt(part, 10) : NaN;
  }

  function __alomaEndsInNumber(host) {
    const parts = host.split(".");
    if (parts[parts.length - 1] === "" && parts.length > 1) parts.pop();
    const last = parts[parts.length - 1];
    return /^\d+$/.test(last) || /^0[xX][0-9A-Fa-f]*$/.test(last);
  }

  function __alomaIPv4(host) {
    const parts = host.split(".");
    if (parts[parts.length - 1] === "" && parts.length > 1) parts.pop();
    if (parts.length > 4) return null;
    const numbers = parts.map(__alomaIPv4Number);
    if (numbers.some(function __alomaBad(n, i) { return isNaN(n) || (i < numbers.length - 1 && n > 255); })) {
      return null;
    }
    const last = numbers[numbers.length - 1];
    if (last >= 256 ** (5 - numbers.length)) return null;
    let address = last;
    for (let i = 0; i < numbers.length - 1; i++) address += numbers[i] * 256 ** (3 - i);
    const octets = [];
    for (let i = 3; i >= 0; i--) octets.push(Math.floor(address / 256 ** i) % 256);
    return octets.join(".");
  }

  function __alomaParseHost(text, special) {
    if (text.startsWith("[")) {
      if (!text.endsWith("]") || !/^\[[0-9A-Fa-f:.]+\]$/.test(text)) return null;
      return text.toLowerCase();
    }
    if (!special) {
      if (/[\u0000 #/:<>?@[\\\]^|]/.test(text)) return null;
      return __alomaPercentEncode(text, C0);
    }
    const domain = __alomaPercentDecode(text).normalize("NFC").toLowerCase();
    if (domain === "" || FORBIDDEN_HOST.test(domain)) return null;
    const ascii = domain.split(".").map(function __alomaLabel(label) {
      return /^[\u0000-\u007f]*$/.test(label) ? label : __alomaPunycode(label);
    }).join(".");
    if (__alomaEndsInNumber(ascii)) return __alomaIPv4(ascii);
    return ascii;
  }

  // ---- parsing into a record {scheme, username, password, host, port, path, opaque, query, fragment} ----

  function __alomaIsDot(segment) {
    return segment === "." || segment.toLowerCase() === "%2e";
  }

  function __alomaIsDotDot(segment) {
    return ["..", ".%2e", "%2e.", "%2e%2e"].includes(segment.toLowerCase());
  }

  function __alomaAddSegments(path, text, special) {
    const segments = text.split(special ? /[/\\]/ : "/");
    for (let i = 0; i < segments.length; i++) {
      const last = i === segments.length - 1;
      if (__alomaIsDotDot(segments[i])) {
        path.pop();
        if (last) path.push("");
      } else if (__alomaIsDot(segments[i])) {
        if (last) path.push("");
      } else {
        path.push(__alomaPercentEncode(segments[i], PATH));
      }
    }
  }

  // `text` is what follows the host: a path (maybe empty), then ?query, then #fragment.
  function __alomaParseTail(text, record, startPath, startQuery) {
    const special = __alomaIsSpecial(record.scheme);
    let rest = text;
    const hash = rest.indexOf("#");
    record.fragment = hash < 0 ? null : __alomaPercentEncode(rest.slice(hash + 1), FRAGMENT);
    if (hash >= 0) rest = rest.slice(0, hash);
    const question = rest.indexOf("?");
    if (question >= 0) {
      record.query = __alomaPercentEncode(rest.slice(question + 1), special ? SPECIAL_QUERY : QUERY);
      rest = rest.slice(0, question);
    } else {
      record.query = startQuery;
    }
    const path = startPath;
    const absolute = /^[/]/.test(rest) || (special && rest.startsWith("\\"));
    if (absolute) path.length = 0;
    if (rest !== "") __alomaAddSegments(path, absolute ? rest.slice(1) : rest, special);
    if (special && path.length === 0) path.push("");
    record.path = path;
    return record;
  }

  function __alomaParseAuthority(text, record) {
    const special = __alomaIsSpecial(record.scheme);
    const end = text.search(special ? /[/\\?#]/ : /[/?#]/);
    const authority = end < 0 ? text : text.slice(0, end);
    let hostPort = authority;
    const at = authority.lastIndexOf("@");
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      const colon = userinfo.indexOf(":");
      record.username = __alomaPercentEncode(colon < 0 ? userinfo : userinfo.slice(0, colon), USERINFO);
      record.password = colon < 0 ? "" : __alomaPercentEncode(userinfo.slice(colon + 1), USERINFO);
      hostPort = authority.slice(at + 1);
    }
    const close = hostPort.startsWith("[") ? hostPort.indexOf("]") : -1;
    const colon = hostPort.indexOf(":", close < 0 ? 0 : close);
    const hostText = colon < 0 ? hostPort : hostPort.slice(0, colon);
    const portText = colon < 0 ? "" : hostPort.slice(colon + 1);
    if (record.scheme === "file" && (hostText === "" || hostText.toLowerCase() === "localhost")) {
      record.host = "";
    } else {
      record.host = hostText === "" && !special ? "" : __alomaParseHost(hostText, special);
      if (record.host === null || (special && record.host === "")) return null;
    }
    if (portText !== "") {
      if (!/^\d+$/.test(portText) || Number(portText) > 65535) return null;
      const port = Number(portText);
      record.port = port === DEFAULT_PORTS[record.scheme] ? null : port;
    }
    return __alomaParseTail(end < 0 ? "" : text.slice(end), record, [], null);
  }

  function __alomaRelative(text, base, record) {
    const special = __alomaIsSpecial(record.scheme);
    const slash = function __alomaSlash(char) { return char === "/" || (special && char === "\\"); };
    if (slash(text.charAt(0)) && slash(text.charAt(1))) return __alomaParseAuthority(text.slice(2), record);
    record.username = base.username;
    record.password = base.password;
    record.host = base.host;
    record.port = base.port;
    if (text === "") {
      record.path = base.path.slice();
      record.query = base.query;
      return record;
    }
    if (text.startsWith("?") || text.startsWith("#")) {
      return __alomaParseTail(text, record, base.path.slice(), text.startsWith("#") ? base.query : null);
    }
    return __alomaParseTail(text, record, slash(text.charAt(0)) ? [] : base.path.slice(0, -1), null);
  }

  function __alomaParse(inputText, base) {
    const text = inputText.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, "").replace(/[\t\n\r]/g, "");
    const record = {
      scheme: "", username: "", password: "", host: null, port: null,
      path: [], opaque: null, query: null, fragment: null,
    };
    const scheme = SCHEME.exec(text);
    if (scheme === null) {
      if (base === null) return null;
      record.scheme = base.scheme;
      if (base.opaque !== null) {
        if (!text.startsWith("#")) return null;
        Object.assign(record, base, { fragment: __alomaPercentEncode(text.slice(1), FRAGMENT) });
        return record;
      }
      return __alomaRelative(text, base, record);
    }
    record.scheme = scheme[1].toLowerCase();
    const rest = text.slice(scheme[0].length);
    if (__alomaIsSpecial(record.scheme)) {
      if (base !== null && base.scheme === record.scheme && !/^[/\\]/.test(rest)) {
        return __alomaRelative(rest, base, record);
      }
      // file: keeps an empty host ("file:///etc"); other special schemes skip any run of slashes.
      const slashes = record.scheme === "file" ? /^[/\\]{2}/ : /^[/\\]*/;
      return __alomaParseAuthority(rest.replace(slashes, ""), record);
    }
    if (rest.startsWith("//")) return __alomaParseAuthority(rest.slice(2), record);
    if (rest.startsWith("/")) return __alomaParseTail(rest, record, [], null);
    const cut = rest.search(/[?#]/);
    record.opaque = __alomaPercentEncode(cut < 0 ? rest : rest.slice(0, cut), C0);
    return __alomaParseTail(cut < 0 ? "" : rest.slice(cut), record, [], null);
  }

  function __alomaPathText(record) {
    if (record.opaque !== null) return record.opaque;
    return record.path.map(function __alomaSegment(segment) { return "/" + segment; }).join("");
  }

  function __alomaHref(record) {
    let out = record.scheme + ":";
    if (record.host !== null) {
      out += "//";
      if (record.username !== "" || record.password !== "") {
        out += record.username + (record.password !== "" ? ":" + record.password : "") + "@";
      }
      out += record.host + (record.port !== null ? ":" + record.port : "");
    }
    out += __alomaPathText(record);
    if (record.query !== null) out += "?" + record.query;
    if (record.fragment !== null) out += "#" + record.fragment;
    return out;
  }

  // ---- application/x-www-form-urlencoded ----

  function __alomaFormEncode(text) {
    let out = "";
    for (const byte of encoder.encode(text)) {
      if (byte === 0x20) out += "+";
      else if (/[A-Za-z0-9*\-._]/.test(String.fromCharCode(byte))) out += String.fromCharCode(byte);
      else out += __alomaHexByte(byte);
    }
    return out;
  }

  function __alomaFormParse(text) {
    const list = [];
    for (const part of text.split("&")) {
      if (part === "") continue;
      const eq = part.indexOf("=");
      const name = eq < 0 ? part : part.slice(0, eq);
      const value = eq < 0 ? "" : part.slice(eq + 1);
      list.push([__alomaPercentDecode(name.replace(/\+/g, " ")), __alomaPercentDecode(value.replace(/\+/g, " "))]);
    }
    return list;
  }

  // A URL's searchParams and the URL share one list; each side tells the other when it changes.
  const lists = new WeakMap();
  const owners = new WeakMap();

  function __alomaParamsChanged(params) {
    const owner = owners.get(params);
    if (owner !== undefined) owner(params.toString());
  }

  class URLSearchParams {
    constructor(init = "") {
      const list = [];
      lists.set(this, list);
      if (init instanceof URLSearchParams) {
        for (const [name, value] of lists.get(init)) list.push([name, value]);
      } else if (init !== null && (typeof init === "object" || typeof init === "function")) {
        if (typeof init[Symbol.iterator] === "function") {
          for (const pair of init) {
            const items = Array.from(pair);
            if (items.length !== 2) throw new TypeError("URLSearchParams: each pair needs a name and a value");
            list.push([String(items[0]), String(items[1])]);
          }
        } else {
          for (const name of Object.keys(init)) list.push([name, String(init[name])]);
        }
      } else {
        const text = String(init);
        list.push(...__alomaFormParse(text.startsWith("?") ? text.slice(1) : text));
      }
    }

    get size() {
      return lists.get(this).length;
    }

    append(name, value) {
      lists.get(this).push([String(name), String(value)]);
      __alomaParamsChanged(this);
    }

    delete(name, value) {
      const key = String(name);
      const list = lists.get(this);
      const keep = list.filter(function __alomaKeep([n, v]) {
        return n !== key || (value !== undefined && v !== String(value));
      });
      list.splice(0, list.length, ...keep);
      __alomaParamsChanged(this);
    }

    get(name) {
      const found = lists.get(this).find(function __alomaNamed([n]) { return n === String(name); });
      return found === undefined ? null : found[1];
    }

    getAll(name) {
      return lists.get(this).filter(function __alomaNamed([n]) { return n === String(name); })
        .map(function __alomaValue([, v]) { return v; });
    }

    has(name, value) {
      return lists.get(this).some(function __alomaMatch([n, v]) {
        return n === String(name) && (value === undefined || v === String(value));
      });
    }

    set(name, value) {
      const key = String(name);
      const list = lists.get(this);
      const first = list.findIndex(function __alomaNamed([n]) { return n === key; });
      if (first < 0) {
        list.push([key, String(value)]);
      } else {
        list[first] = [key, String(value)];
        const keep = list.filter(function __alomaKeep([n], i) { return n !== key || i === first; });
        list.splice(0, list.length, ...keep);
      }
      __alomaParamsChanged(this);
    }

    sort() {
      lists.get(this).sort(function __alomaByName(a, b) {
        if (a[0] === b[0]) return 0;
        return a[0] < b[0] ? -1 : 1;
      });
      __alomaParamsChanged(this);
    }

    forEach(callback, thisArg) {
      const list = lists.get(this);
      for (let i = 0; i < list.length; i++) callback.call(thisArg, list[i][1], list[i][0], this);
    }

    *entries() {
      const list = lists.get(this);
      for (let i = 0; i < list.length; i++) yield [list[i][0], list[i][1]];
    }

    *keys() {
      for (const [name] of this.entries()) yield name;
    }

    *values() {
      for (const [, value] of this.entries()) yield value;
    }

    [Symbol.iterator]() {
      return this.entries();
    }

    toString() {
      return lists.get(this).map(function __alomaPair([n, v]) {
        return __alomaFormEncode(n) + "=" + __alomaFormEncode(v);
      }).join("&");
    }
  }

  function __alomaMustParse(url, base) {
    let baseRecord = null;
    if (base !== undefined) {
      baseRecord = __alomaParse(String(base), null);
      if (baseRecord === null) throw new TypeError("Invalid base URL: " + String(base));
    }
    const record = __alomaParse(String(url), baseRecord);
    if (record === null) throw new TypeError("Invalid URL: " + String(url));
    return record;
  }

  class URL {
    #record;
    #params;

    constructor(url, base) {
      this.#record = __alomaMustParse(url, base);
      this.#params = new URLSearchParams(this.#record.query || "");
      const record = () => this.#record;
      owners.set(this.#params, function __alomaQueryFromParams(text) {
        record().query = text === "" ? null : text;
      });
    }

    static canParse(url, base) {
      try {
        __alomaMustParse(url, base);
        return true;
      } catch (e) {
        return false;
      }
    }

    static parse(url, base) {
      try {
        return new URL(url, base);
      } catch (e) {
        return null;
      }
    }

    #resetParams() {
      const list = lists.get(this.#params);
      list.splice(0, list.length, ...__alomaFormParse(this.#record.query || ""));
    }

    #hasCredentialsSlot() {
      return this.#record.host !== null && this.#record.host !== "" && this.#record.scheme !== "file";
    }

    get href() {
      return __alomaHref(this.#record);
    }

    set href(value) {
      this.#record = __alomaMustParse(value);
      this.#resetParams();
    }

    get origin() {
      const r = this.#record;
      if (!__alomaIsSpecial(r.scheme) || r.scheme === "file") return "null";
      return r.scheme + "://" + r.host + (r.port !== null ? ":" + r.port : "");
    }

    get protocol() {
      return this.#record.scheme + ":";
    }

    set protocol(value) {
      const found = SCHEME.exec(String(value) + ":");
      if (found === null) return;
      const scheme = found[1].toLowerCase();
      if (__alomaIsSpecial(scheme) !== __alomaIsSpecial(this.#record.scheme) || scheme === "file") return;
      this.#record.scheme = scheme;
      if (this.#record.port === DEFAULT_PORTS[scheme]) this.#record.port = null;
    }

    get username() {
      return this.#record.username;
    }

    set username(value) {
      if (this.#hasCredentialsSlot()) this.#record.username = __alomaPercentEncode(String(value), USERINFO);
    }

    get password() {
      return this.#record.password;
    }

    set password(value) {
      if (this.#hasCredentialsSlot()) this.#record.password = __alomaPercentEncode(String(value), USERINFO);
    }

    get host() {
      const r = this.#record;
      if (r.host === null) return "";
      return r.host + (r.port !== null ? ":" + r.port : "");
    }

    set host(value) {
      if (this.#record.opaque !== null) return;
      const text = String(value);
      const colon = text.startsWith("[") ? text.indexOf(":", text.indexOf("]")) : text.indexOf(":");
      this.hostname = colon < 0 ? text : text.slice(0, colon);
      if (colon >= 0) this.port = text.slice(colon + 1);
    }

    get hostname() {
      return this.#record.host === null ? "" : this.#record.host;
    }

    set hostname(value) {
      if (this.#record.opaque !== null) return;
      const host = __alomaParseHost(String(value), __alomaIsSpecial(this.#record.scheme));
      if (host !== null) this.#record.host = host;
    }

    get port() {
      return this.#record.port === null ? "" : String(this.#record.port);
    }

    set port(value) {
      if (!this.#hasCredentialsSlot()) return;
      const text = String(value);
      if (text === "") {
        this.#record.port = null;
        return;
      }
      const digits = /^\d+/.exec(text);
      if (digits === null || Number(digits[0]) > 65535) return;
      const port = Number(digits[0]);
      this.#record.port = port === DEFAULT_PORTS[this.#record.scheme] ? null : port;
    }

    get pathname() {
      return __alomaPathText(this.#record);
    }

    set pathname(value) {
      const r = this.#record;
      if (r.opaque !== null) return;
      const special = __alomaIsSpecial(r.scheme);
      const text = String(value);
      const path = [];
      const absolute = text.startsWith("/") || (special && text.startsWith("\\"));
      if (text !== "") __alomaAddSegments(path, absolute ? text.slice(1) : text, special);
      if (special && path.length === 0) path.push("");
      r.path = path;
    }

    get search() {
      const query = this.#record.query;
      return query === null || query === "" ? "" : "?" + query;
    }

    set search(value) {
      const text = String(value);
      const query = text.startsWith("?") ? text.slice(1) : text;
      const special = __alomaIsSpecial(this.#record.scheme);
      this.#record.query = text === "" ? null : __alomaPercentEncode(query, special ? SPECIAL_QUERY : QUERY);
      this.#resetParams();
    }

    get searchParams() {
      return this.#params;
    }

    get hash() {
      const fragment = this.#record.fragment;
      return fragment === null || fragment === "" ? "" : "#" + fragment;
    }

    set hash(value) {
      const text = String(value);
      const fragment = text.startsWith("#") ? text.slice(1) : text;
      this.#record.fragment = text === "" ? null : __alomaPercentEncode(fragment, FRAGMENT);
    }

    toString() {
      return this.href;
    }

    toJSON() {
      return this.href;
    }
  }

  return { URL, URLSearchParams };
};

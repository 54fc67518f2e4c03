// TextEncoder and TextDecoder (WHATWG Encoding, UTF-8 only): QuickJS has neither.
() => {
  "use strict";

  const REPLACEMENT = 0xfffd;
  const LABELS = new Set(["utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8"]);

  // The code point at `index` of a JS string, with lone surrogates read as U+FFFD (USVString).
  function __alomaCodePointAt(text, index) {
    const unit = text.charCodeAt(index);
    if (unit < 0xd800 || unit > 0xdfff) return [unit, 1];
    if (unit <= 0xdbff && index + 1 < text.length) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) return [0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00), 2];
    }
    return [REPLACEMENT, 1];
  }

  function __alomaUtf8Size(codePoint) {
    if (codePoint < 0x80) return 1;
    if (codePoint < 0x800) return 2;
    if (codePoint < 0x10000) return 3;
    return 4;
  }

  function __alomaPutUtf8(bytes, at, codePoint) {
    if (codePoint < 0x80) {
      bytes[at] = codePoint;
      return 1;
    }
    if (codePoint < 0x800) {
      bytes[at] = 0xc0 | (codePoint >> 6);
      bytes[at + 1] = 0x80 | (codePoint & 0x3f);
      return 2;
    }
    if (codePoint < 0x10000) {
      bytes[at] = 0xe0 | (codePoint >> 12);
      bytes[at + 1] = 0x80 | ((codePoint >> 6) & 0x3f);
      bytes[at + 2] = 0x80 | (codePoint & 0x3f);
      return 3;
    }
    bytes[at] = 0xf0 | (codePoint >> 18);
    bytes[at + 1] = 0x80 | ((codePoint >> 12) & 0x3f);
    bytes[at + 2] = 0x80 | ((codePoint >> 6) & 0x3f);
    bytes[at + 3] = 0x80 | (codePoint & 0x3f);
    return 4;
  }

  function __alomaBytesOf(input) {
    if (input === undefined) return new Uint8Array(0);
    if (input instanceof ArrayBuffer || input instanceof SharedArrayBuffer) return new Uint8Array(input);
    if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    throw new TypeError("TextDecoder.decode takes an ArrayBuffer, a typed array or a DataView");
  }

  function __alomaUnitsToString(units) {
    const parts = [];
    for (let i = 0; i < units.length; i += 8192) {
      parts.push(String.fromCharCode.apply(null, units.slice(i, i + 8192)));
    }
    return parts.join("");
  }

  class TextEncoder {
    get encoding() {
      return "utf-8";
    }

    encode(input = "") {
      const text = String(input);
      const bytes = new Uint8Array(text.length * 3);
      let written = 0;
      for (let i = 0; i < text.length;) {
        const [codePoint, units] = __alomaCodePointAt(text, i);
        written += __alomaPutUtf8(bytes, written, codePoint);
        i += units;
      }
      return bytes.slice(0, written);
    }

    encodeInto(source, destination) {
      if (!(destination instanceof Uint8Array)) throw new TypeError("encodeInto writes into a Uint8Array");
      const text = String(source);
      let read = 0;
      let written = 0;
      while (read < text.length) {
        const [codePoint, units] = __alomaCodePointAt(text, read);
        if (written + __alomaUtf8Size(codePoint) > destination.length) break;
        written += __alomaPutUtf8(destination, written, codePoint);
        read += units;
      }
      return { read, written };
    }
  }

  // The UTF-8 decoder of the Encoding standard: each maximal invalid subpart becomes one U+FFFD.
  class TextDecoder {
    #fatal;
    #ignoreBOM;
    #needed = 0;
    #seen = 0;
    #codePoint = 0;
    #lower = 0x80;
    #upper = 0xbf;
    #started = false;

    constructor(label = "utf-8", options = {}) {
      if (!LABELS.has(String(label).trim().toLowerCase())) {
        throw new RangeError("TextDecoder supports utf-8 only, not " + JSON.stringify(String(label)));
      }
      this.#fatal = Boolean(options && options.fatal);
      this.#ignoreBOM = Boolean(options && options.ignoreBOM);
    }

    get encoding() {
      return "utf-8";
    }

    get fatal() {
      return this.#fatal;
    }

    get ignoreBOM() {
      return this.#ignoreBOM;
    }

    decode(input, options) {
      const bytes = __alomaBytesOf(input);
      const stream = Boolean(options && options.stream);
      const units = [];
      for (let i = 0; i < bytes.length; i++) {
        if (!this.#take(bytes[i], units)) i--;
      }
      if (!stream) {
        if (this.#needed !== 0) this.#invalid(units);
        this.#needed = 0;
      }
      let text = __alomaUnitsToString(units);
      if (!this.#started && text.length > 0) {
        this.#started = true;
        if (!this.#ignoreBOM && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      if (!stream) this.#started = false;
      return text;
    }

    #invalid(units) {
      this.#needed = 0;
      this.#seen = 0;
      this.#codePoint = 0;
      this.#lower = 0x80;
      this.#upper = 0xbf;
      if (this.#fatal) throw new TypeError("The encoded data was not valid utf-8");
      units.push(REPLACEMENT);
    }

    #emit(codePoint, units) {
      if (codePoint < 0x10000) {
        units.push(codePoint);
      } else {
        const offset = codePoint - 0x10000;
        units.push(0xd800 + (offset >> 10), 0xdc00 + (offset & 0x3ff));
      }
    }

    // Feeds one byte; false means "read this byte again", after an invalid sequence ended early.
    #take(byte, units) {
      if (this.#needed === 0) {
        if (byte <= 0x7f) {
          units.push(byte);
        } else if (byte >= 0xc2 && byte <= 0xdf) {
          this.#needed = 1;
          this.#codePoint = byte & 0x1f;
        } else if (byte >= 0xe0 && byte <= 0xef) {
          if (byte === 0xe0) this.#lower = 0xa0;
          if (byte === 0xed) this.#upper = 0x9f;
          this.#needed = 2;
          this.#codePoint = byte & 0xf;
        } else if (byte >= 0xf0 && byte <= 0xf4) {
          if (byte === 0xf0) this.#lower = 0x90;
          if (byte === 0xf4) this.#upper = 0x8f;
          this.#needed = 3;
          this.#codePoint = byte & 0x7;
        } else {
          this.#invalid(units);
        }
        return true;
      }
      if (byte < this.#lower || byte > this.#upper) {
        this.#invalid(units);
        return false;
      }
      this.#lower = 0x80;
      this.#upper = 0xbf;
      this.#codePoint = (this.#codePoint << 6) | (byte & 0x3f);
      this.#seen++;
      if (this.#seen === this.#needed) {
        this.#emit(this.#codePoint, units);
        this.#needed = 0;
        this.#seen = 0;
        this.#codePoint = 0;
      }
      return true;
    }
  }

  return { TextEncoder, TextDecoder };
};

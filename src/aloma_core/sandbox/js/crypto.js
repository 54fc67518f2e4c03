// crypto.getRandomValues and crypto.randomUUID from a ChaCha20 keystream (RFC 8439).
// The key is the run's seed, fresh from the host's os.urandom for every run (bridge.py);
// Math.random is never used.
(lib) => {
  "use strict";

  const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574];
  const key = new Uint32Array(8);
  const seed = lib.input.seed;
  for (let i = 0; i < 8; i++) {
    const word = seed.slice(8 * i, 8 * i + 8);
    // Key words are little-endian, as RFC 8439 reads the 32 key bytes.
    key[i] = parseInt(word.slice(6, 8) + word.slice(4, 6) + word.slice(2, 4) + word.slice(0, 2), 16);
  }
  const block = new Uint8Array(64);
  let counter = 0;
  let used = 64;

  function __alomaRotate(value, bits) {
    return (value << bits) | (value >>> (32 - bits));
  }

  function __alomaQuarterRound(x, a, b, c, d) {
    x[a] = (x[a] + x[b]) | 0; x[d] = __alomaRotate(x[d] ^ x[a], 16);
    x[c] = (x[c] + x[d]) | 0; x[b] = __alomaRotate(x[b] ^ x[c], 12);
    x[a] = (x[a] + x[b]) | 0; x[d] = __alomaRotate(x[d] ^ x[a], 8);
    x[c] = (x[c] + x[d]) | 0; x[b] = __alomaRotate(x[b] ^ x[c], 7);
  }

  // One 64-byte block for the key, block counter and an all-zero nonce.
  function __alomaChaChaBlock() {
    const initial = new Int32Array(16);
    initial.set(SIGMA, 0);
    initial.set(key, 4);
    initial[12] = counter;
    const x = initial.slice();
    for (let round = 0; round < 10; round++) {
      __alomaQuarterRound(x, 0, 4, 8, 12);
      __alomaQuarterRound(x, 1, 5, 9, 13);
      __alomaQuarterRound(x, 2, 6, 10, 14);
      __alomaQuarterRound(x, 3, 7, 11, 15);
      __alomaQuarterRound(x, 0, 5, 10, 15);
      __alomaQuarterRound(x, 1, 6, 11, 12);
      __alomaQuarterRound(x, 2, 7, 8, 13);
      __alomaQuarterRound(x, 3, 4, 9, 14);
    }
    for (let i = 0; i < 16; i++) {
      const word = (x[i] + initial[i]) | 0;
      block[4 * i] = word & 0xff;
      block[4 * i + 1] = (word >>> 8) & 0xff;
      block[4 * i + 2] = (word >>> 16) & 0xff;
      block[4 * i + 3] = (word >>> 24) & 0xff;
    }
    counter = (counter + 1) | 0;
    used = 0;
  }

  function __alomaRandomBytes(target) {
    for (let i = 0; i < target.length; i++) {
      if (used === 64) __alomaChaChaBlock();
      target[i] = block[used++];
    }
  }

  const INTEGER_ARRAYS = [
    Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
    BigInt64Array, BigUint64Array,
  ];

  const crypto = {
    getRandomValues: function __alomaGetRandomValues(array) {
      if (!INTEGER_ARRAYS.some(function __alomaIsKind(kind) { return array instanceof kind; })) {
        throw new TypeError("crypto.getRandomValues takes an integer typed array");
      }
      if (array.byteLength > 65536) {
        throw new DOMException("crypto.getRandomValues fills at most 65536 bytes", "QuotaExceededError");
      }
      __alomaRandomBytes(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
      return array;
    },
    randomUUID: function __alomaRandomUUID() {
      const bytes = new Uint8Array(16);
      __alomaRandomBytes(bytes);
      bytes[6] = (bytes[6] & 0x0f) | 0x40;
      bytes[8] = (bytes[8] & 0x3f) | 0x80;
      const hex = Array.from(bytes, function __alomaHex(byte) { return byte.toString(16).padStart(2, "0"); });
      return [
        hex.slice(0, 4).join(""), hex.slice(4, 6).join(""), hex.slice(6, 8).join(""),
        hex.slice(8, 10).join(""), hex.slice(10, 16).join(""),
      ].join("-");
    },
  };

  return { crypto };
};

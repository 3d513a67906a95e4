// Adapter for the noble libraries (@noble/curves, @noble/ciphers, @noble/hashes): pure JS.
import { packageVersion, Refusal, serve } from "./e2ee-host.mjs";
import { chacha20poly1305, xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { gcm } from "@noble/ciphers/aes.js";
import { equalBytes } from "@noble/ciphers/utils.js";
import { ed25519, x25519 } from "@noble/curves/ed25519.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";

const TAG = 16;

function x25519Shared({ private: sk, public: pk }) {
  try {
    return x25519.getSharedSecret(sk, pk);
  } catch (err) {
    // noble refuses low-order u-coordinates before the ladder, and malformed (non-32-byte) keys.
    throw new Refusal("InvalidKey", err.message);
  }
}

function seedCall(fn) {
  try {
    return fn();
  } catch (err) {
    throw new Refusal("InvalidKey", err.message); // a seed that is not 32 bytes
  }
}

function ed25519Verify({ public: pk, message, signature }) {
  let ok;
  try {
    // The library default: zip215 is true for ed25519.verify (see the manifest notes).
    ok = ed25519.verify(signature, message, pk);
  } catch (err) {
    // verify() throws only for wrong lengths; a bad encoding returns false.
    throw new Refusal(pk.length === 32 ? "InvalidSignature" : "InvalidKey", err.message);
  }
  if (!ok) throw new Refusal("InvalidSignature", "signature did not verify");
  return null;
}

function aead(cipher, nonceSize) {
  const check = (key, nonce) => {
    if (key.length !== 32) throw new Refusal("InvalidInput", "key must be 32 bytes");
    if (nonce.length !== nonceSize) {
      throw new Refusal("InvalidInput", `nonce must be ${nonceSize} bytes`);
    }
  };
  return {
    encrypt({ key, nonce, plaintext, aad }) {
      check(key, nonce);
      return cipher(key, nonce, aad).encrypt(plaintext);
    },
    decrypt({ key, nonce, ciphertext, aad }) {
      check(key, nonce);
      if (ciphertext.length < TAG) {
        throw new Refusal("AuthenticationFailed", "ciphertext shorter than the tag");
      }
      try {
        return cipher(key, nonce, aad).decrypt(ciphertext);
      } catch (err) {
        if (/invalid tag/.test(err.message)) throw new Refusal("AuthenticationFailed", err.message);
        throw err;
      }
    },
  };
}

const chacha = aead(chacha20poly1305, 12);
const xchacha = aead(xchacha20poly1305, 24);
const aesGcm = aead(gcm, 12);

const version = ["curves", "ciphers", "hashes"]
  .map((name) => `${name} ${packageVersion(`@noble/${name}`, import.meta.url)}`)
  .join(", ");

serve(
  {
    name: "noble",
    implementation: "@noble/curves + @noble/ciphers + @noble/hashes",
    version,
    capabilities: [
      "x25519",
      "ed25519",
      "hkdf-sha256",
      "hmac-sha256",
      "aead:chacha20-poly1305",
      "aead:xchacha20-poly1305",
      "aead:aes-256-gcm",
    ],
    notes: {
      ed25519:
        "ed25519.verify is called with the library's defaults, which in @noble/curves 2.x " +
        "are ZIP-215 rules (zip215: true); the strict RFC 8032 mode ({ zip215: false }) is opt-in",
      x25519: "noble refuses the five low-order u-coordinates (mod p) before the ladder",
    },
  },
  {
    "x25519.x25519": x25519Shared,
    "ed25519.ed25519_public_key": ({ private: seed }) => seedCall(() => ed25519.getPublicKey(seed)),
    "ed25519.ed25519_sign": ({ private: seed, message }) =>
      seedCall(() => ed25519.sign(message, seed)),
    "ed25519.ed25519_verify": ed25519Verify,
    "hkdf-sha256.hkdf_sha256": ({ ikm, salt, info, length }) => {
      if (!Number.isInteger(length) || length < 0 || length > 255 * 32) {
        throw new Refusal("InvalidInput", `length ${length} is over 255 * HashLen`);
      }
      return hkdf(sha256, ikm, salt, info, length);
    },
    "hmac-sha256.hmac_sha256": ({ key, message }) => hmac(sha256, key, message),
    "hmac-sha256.hmac_sha256_verify": ({ key, message, tag }) => {
      if (!equalBytes(hmac(sha256, key, message), tag)) {
        throw new Refusal("AuthenticationFailed", "HMAC tag mismatch");
      }
      return null;
    },
    "aead:chacha20-poly1305.encrypt": chacha.encrypt,
    "aead:chacha20-poly1305.decrypt": chacha.decrypt,
    "aead:xchacha20-poly1305.encrypt": xchacha.encrypt,
    "aead:xchacha20-poly1305.decrypt": xchacha.decrypt,
    "aead:aes-256-gcm.encrypt": aesGcm.encrypt,
    "aead:aes-256-gcm.decrypt": aesGcm.decrypt,
  },
);

// Adapter for node:crypto, Node.js's built-in crypto module (the OpenSSL that Node bundles).
import { Refusal, serve } from "./e2ee-host.mjs";
import crypto from "node:crypto";

// RFC 8410 §10.3 / RFC 5958 DER prefixes: node:crypto imports raw X25519 and Ed25519 keys only
// through PKCS#8 and SPKI structures.
const X25519_PKCS8 = Buffer.from("302e020100300506032b656e04220420", "hex");
const X25519_SPKI = Buffer.from("302a300506032b656e032100", "hex");
const ED25519_PKCS8 = Buffer.from("302e020100300506032b657004220420", "hex");
const ED25519_SPKI = Buffer.from("302a300506032b6570032100", "hex");

function key(prefix, raw, kind, size, type) {
  if (raw.length !== size) throw new Refusal("InvalidKey", `${size}-byte key expected`);
  try {
    const der = Buffer.concat([prefix, raw]);
    return kind === "private"
      ? crypto.createPrivateKey({ key: der, format: "der", type: "pkcs8" })
      : crypto.createPublicKey({ key: der, format: "der", type: "spki" });
  } catch (err) {
    throw new Refusal("InvalidKey", err.message);
  }
}

function x25519({ private: sk, public: pk }) {
  const privateKey = key(X25519_PKCS8, sk, "private", 32);
  const publicKey = key(X25519_SPKI, pk, "public", 32);
  try {
    return crypto.diffieHellman({ privateKey, publicKey });
  } catch (err) {
    // OpenSSL refuses an all-zero shared secret.
    throw new Refusal("InvalidKey", err.message);
  }
}

function edPublic(seed) {
  const spki = crypto.createPublicKey(key(ED25519_PKCS8, seed, "private", 32))
    .export({ format: "der", type: "spki" });
  return spki.subarray(ED25519_SPKI.length);
}

function edVerify({ public: pk, message, signature }) {
  const publicKey = key(ED25519_SPKI, pk, "public", 32);
  let ok;
  try {
    ok = crypto.verify(null, message, publicKey, signature);
  } catch (err) {
    throw new Refusal("InvalidSignature", err.message);
  }
  if (!ok) throw new Refusal("InvalidSignature", "signature did not verify");
  return null;
}

function hkdf({ ikm, salt, info, length }) {
  if (length > 255 * 32) throw new Refusal("InvalidInput", "length > 255 * HashLen");
  return new Uint8Array(crypto.hkdfSync("sha256", ikm, salt, info, length));
}

const hmac = ({ key: k, message }) => crypto.createHmac("sha256", k).update(message).digest();

function hmacVerify({ key: k, message, tag }) {
  const mac = hmac({ key: k, message });
  if (tag.length !== mac.length || !crypto.timingSafeEqual(mac, tag)) {
    throw new Refusal("AuthenticationFailed", "tag mismatch");
  }
  return null;
}

function aead(name, nonceSize) {
  const check = (k, nonce) => {
    if (k.length !== 32) throw new Refusal("InvalidInput", "32-byte key expected");
    if (nonce.length !== nonceSize) throw new Refusal("InvalidInput", `${nonceSize}-byte nonce`);
  };
  return {
    encrypt({ key: k, nonce, plaintext, aad }) {
      check(k, nonce);
      const c = crypto.createCipheriv(name, k, nonce, { authTagLength: 16 });
      c.setAAD(aad, { plaintextLength: plaintext.length });
      return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
    },
    decrypt({ key: k, nonce, ciphertext, aad }) {
      check(k, nonce);
      if (ciphertext.length < 16) throw new Refusal("AuthenticationFailed", "shorter than tag");
      const body = ciphertext.subarray(0, ciphertext.length - 16);
      const d = crypto.createDecipheriv(name, k, nonce, { authTagLength: 16 });
      d.setAAD(aad, { plaintextLength: body.length });
      d.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
      try {
        return Buffer.concat([d.update(body), d.final()]);
      } catch (err) {
        throw new Refusal("AuthenticationFailed", err.message);
      }
    },
  };
}

function cbc(encrypting) {
  return ({ key: k, iv, plaintext, ciphertext, padding }) => {
    if (k.length !== 32 || iv.length !== 16) throw new Refusal("InvalidInput", "key/iv size");
    const input = encrypting ? plaintext : ciphertext;
    const c = encrypting
      ? crypto.createCipheriv("aes-256-cbc", k, iv)
      : crypto.createDecipheriv("aes-256-cbc", k, iv);
    c.setAutoPadding(Boolean(padding));
    try {
      return Buffer.concat([c.update(input), c.final()]);
    } catch (err) {
      // Bad padding, or a length that is not a multiple of the block size.
      throw new Refusal("InvalidMessage", err.message);
    }
  };
}

const chacha = aead("chacha20-poly1305", 12);
const gcm = aead("aes-256-gcm", 12);

serve(
  {
    name: "node-crypto",
    implementation: "node:crypto (Node.js built-in, bundled OpenSSL)",
    version: `node ${process.versions.node} (OpenSSL ${process.versions.openssl})`,
    capabilities: [
      "x25519", "ed25519", "hkdf-sha256", "hmac-sha256", "aead:chacha20-poly1305",
      "aead:aes-256-gcm", "aes-256-cbc",
    ],
  },
  {
    "x25519.x25519": x25519,
    "ed25519.ed25519_public_key": ({ private: seed }) => edPublic(seed),
    "ed25519.ed25519_sign": ({ private: seed, message }) =>
      crypto.sign(null, message, key(ED25519_PKCS8, seed, "private", 32)),
    "ed25519.ed25519_verify": edVerify,
    "hkdf-sha256.hkdf_sha256": hkdf,
    "hmac-sha256.hmac_sha256": hmac,
    "hmac-sha256.hmac_sha256_verify": hmacVerify,
    "aead:chacha20-poly1305.encrypt": chacha.encrypt,
    "aead:chacha20-poly1305.decrypt": chacha.decrypt,
    "aead:aes-256-gcm.encrypt": gcm.encrypt,
    "aead:aes-256-gcm.decrypt": gcm.decrypt,
    "aes-256-cbc.aes_256_cbc_encrypt": cbc(true),
    "aes-256-cbc.aes_256_cbc_decrypt": cbc(false),
  },
);

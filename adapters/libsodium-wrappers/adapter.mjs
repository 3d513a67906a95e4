// Adapter for libsodium-wrappers: libsodium compiled to WebAssembly, with its JS wrappers.
import { packageVersion, Refusal, serve } from "./e2ee-host.mjs";
import sodium from "libsodium-wrappers";

await sodium.ready;

const TAG = 16;

function x25519({ private: sk, public: pk }) {
  try {
    return sodium.crypto_scalarmult(sk, pk);
  } catch (err) {
    // crypto_scalarmult refuses a low-order public value ("weak public key"); the wrapper also
    // throws for keys that are not 32 bytes.
    throw new Refusal("InvalidKey", err.message);
  }
}

function keypair(seed) {
  try {
    return sodium.crypto_sign_seed_keypair(seed);
  } catch (err) {
    throw new Refusal("InvalidKey", err.message); // a seed that is not 32 bytes
  }
}

function ed25519Verify({ public: pk, message, signature }) {
  let ok;
  try {
    ok = sodium.crypto_sign_verify_detached(signature, message, pk);
  } catch (err) {
    // The wrapper throws for a signature or public key of the wrong length.
    throw new Refusal(pk.length === 32 ? "InvalidSignature" : "InvalidKey", err.message);
  }
  if (!ok) throw new Refusal("InvalidSignature", "signature did not verify");
  return null;
}

function aead(encrypt, decrypt, nonceSize) {
  const check = (key, nonce) => {
    if (key.length !== 32) throw new Refusal("InvalidInput", "key must be 32 bytes");
    if (nonce.length !== nonceSize) {
      throw new Refusal("InvalidInput", `nonce must be ${nonceSize} bytes`);
    }
  };
  return {
    encrypt({ key, nonce, plaintext, aad }) {
      check(key, nonce);
      return encrypt(plaintext, aad, null, nonce, key);
    },
    decrypt({ key, nonce, ciphertext, aad }) {
      check(key, nonce);
      if (ciphertext.length < TAG) {
        throw new Refusal("AuthenticationFailed", "ciphertext shorter than the tag");
      }
      try {
        return decrypt(null, ciphertext, aad, nonce, key);
      } catch (err) {
        if (/cannot be decrypted/.test(err.message)) {
          throw new Refusal("AuthenticationFailed", err.message); // the tag did not verify
        }
        throw err;
      }
    },
  };
}

const chacha = aead(
  sodium.crypto_aead_chacha20poly1305_ietf_encrypt,
  sodium.crypto_aead_chacha20poly1305_ietf_decrypt,
  12,
);
const xchacha = aead(
  sodium.crypto_aead_xchacha20poly1305_ietf_encrypt,
  sodium.crypto_aead_xchacha20poly1305_ietf_decrypt,
  24,
);

const capabilities = ["x25519", "ed25519", "aead:chacha20-poly1305", "aead:xchacha20-poly1305"];
const handlers = {
  "x25519.x25519": x25519,
  "ed25519.ed25519_public_key": ({ private: seed }) => keypair(seed).publicKey,
  "ed25519.ed25519_sign": ({ private: seed, message }) =>
    sodium.crypto_sign_detached(message, keypair(seed).privateKey),
  "ed25519.ed25519_verify": ed25519Verify,
  "aead:chacha20-poly1305.encrypt": chacha.encrypt,
  "aead:chacha20-poly1305.decrypt": chacha.decrypt,
  "aead:xchacha20-poly1305.encrypt": xchacha.encrypt,
  "aead:xchacha20-poly1305.decrypt": xchacha.decrypt,
};

const notes = {
  x25519: 'crypto_scalarmult refuses low-order public values ("weak public key")',
  "aead:aes-256-gcm":
    "not declared: this WebAssembly build has no crypto_aead_aes256gcm_* functions",
  "hmac-sha256":
    "not declared: libsodium-wrappers does not wrap crypto_auth_hmacsha256 " +
    "(crypto_auth is HMAC-SHA-512-256)",
  "hkdf-sha256":
    "not declared: libsodium-wrappers does not wrap crypto_kdf_hkdf_sha256_* (it exports only " +
    "their size constants); the adapter does not compose HKDF from other primitives",
};

// AES-256-GCM: libsodium offers it only where crypto_aead_aes256gcm_is_available() says so
// (AES-NI and CLMUL), and this WebAssembly build does not export it at all. Say so on stderr if
// a version bump brings it, so that the manifest and this adapter are updated together.
if (typeof sodium.crypto_aead_aes256gcm_is_available === "function") {
  console.error("libsodium-wrappers now exports crypto_aead_aes256gcm_*: declare it");
}

serve(
  {
    name: "libsodium-wrappers",
    implementation: "libsodium-wrappers (libsodium, WebAssembly)",
    version:
      `${packageVersion("libsodium-wrappers", import.meta.url)} ` +
      `(libsodium ${sodium.SODIUM_VERSION_STRING})`,
    capabilities,
    notes,
  },
  handlers,
);

// Adapter for tweetnacl: the JavaScript port of TweetNaCl (X25519 and Ed25519 only here).
import { packageVersion, Refusal, serve } from "./e2ee-host.mjs";
import nacl from "tweetnacl";

function x25519({ private: sk, public: pk }) {
  try {
    // nacl.scalarMult refuses nothing but wrong sizes: a low-order public value gives zeros.
    return nacl.scalarMult(sk, pk);
  } catch (err) {
    throw new Refusal("InvalidKey", err.message);
  }
}

function keypair(seed) {
  try {
    return nacl.sign.keyPair.fromSeed(seed);
  } catch (err) {
    throw new Refusal("InvalidKey", err.message); // "bad seed size"
  }
}

function ed25519Verify({ public: pk, message, signature }) {
  let ok;
  try {
    ok = nacl.sign.detached.verify(message, signature, pk);
  } catch (err) {
    // "bad signature size" or "bad public key size".
    throw new Refusal(pk.length === 32 ? "InvalidSignature" : "InvalidKey", err.message);
  }
  if (!ok) throw new Refusal("InvalidSignature", "signature did not verify");
  return null;
}

serve(
  {
    name: "tweetnacl",
    implementation: "tweetnacl (TweetNaCl.js)",
    version: packageVersion("tweetnacl", import.meta.url),
    capabilities: ["x25519", "ed25519"],
    notes: {
      x25519: "nacl.scalarMult refuses nothing but wrong sizes: a low-order public value " +
        "gives the all-zero output",
      ed25519: "nacl.sign.detached.verify is TweetNaCl's crypto_sign_open: it checks neither " +
        "S < L nor that the public key's y-coordinate is canonical",
    },
  },
  {
    "x25519.x25519": x25519,
    "ed25519.ed25519_public_key": ({ private: seed }) => keypair(seed).publicKey,
    "ed25519.ed25519_sign": ({ private: seed, message }) =>
      nacl.sign.detached(message, keypair(seed).secretKey),
    "ed25519.ed25519_verify": ed25519Verify,
  },
);

// Adapter for @oqs/liboqs-js (liboqs compiled to WebAssembly): ML-KEM and round-3 Kyber1024.
import { packageVersion, Refusal, serve } from "./e2ee-host.mjs";
import { createRequire } from "node:module";

// --- randomness ---------------------------------------------------------------------------
//
// liboqs-js has no derandomised entry points (the wasm exports OQS_KEM_keypair/encaps/decaps
// only). Its Emscripten glue draws every random byte, under Node.js, with
// require("node:crypto").randomFillSync(view), looking the function up on the module object at
// each draw; the adapter replaces that function before the library loads. Outside an operation
// it is the real one; during an operation it serves exactly the values the operation was given,
// in order, each draw of exactly that length, and any other draw (an unexpected size, one too
// many, one too few) is an error, never silently random. Measured with 0.15.1: ML-KEM keygen
// draws once, 64 bytes (d || z), encapsulation once, 32 bytes (m); round-3 Kyber1024 keygen
// draws 32 bytes twice (d, then z) and encapsulation 32 bytes once (m); decapsulation draws
// nothing.

const nodeCrypto = createRequire(import.meta.url)("node:crypto");
const realFill = nodeCrypto.randomFillSync;
let queue = null; // the values the running operation may draw, or null outside one

nodeCrypto.randomFillSync = function randomFillSync(buffer, ...rest) {
  if (queue === null) return realFill.call(this, buffer, ...rest);
  const next = queue.shift();
  if (next === undefined || rest.length || next.length !== buffer.length) {
    queue = [];
    throw new Error(
      `liboqs-js drew ${buffer.length} random bytes where ` +
        (next === undefined ? "no draw was expected" : `a draw of ${next.length} was expected`),
    );
  }
  buffer.set(next);
  return buffer;
};

function drawing(values, fn) {
  queue = [...values];
  try {
    const result = fn();
    if (queue.length) throw new Error(`liboqs-js left ${queue.length} injected value(s) undrawn`);
    return result;
  } finally {
    queue = null;
  }
}

// Imported after the hook is in place (the draws are looked up at call time anyway).
const oqs = await import("@oqs/liboqs-js");

// --- refusals -----------------------------------------------------------------------------

function need(bytes, length, kind, what) {
  if (bytes.length !== length) {
    throw new Refusal(kind, `${what} must be ${length} bytes, got ${bytes.length}`);
  }
}

/** liboqs's OQS_KEM_encaps/decaps return -1 (LibOQSOperationError "... Error code: -1") for an
 * input they reject: the §7.2 modulus check in ML-KEM encapsulation, the §7.3 hash check in
 * ML-KEM decapsulation. */
function rejecting(fn, kind) {
  try {
    return fn();
  } catch (err) {
    if (err instanceof oqs.LibOQSOperationError && /Error code: -1$/.test(err.message)) {
      throw new Refusal(kind, err.message);
    }
    throw err;
  }
}

function kem(instance, { keygenDraws }) {
  const { publicKey: ekLen, secretKey: dkLen, ciphertext: cLen } = instance.info.keySize;
  const keygen = ({ d, z }) => {
    need(d, 32, "InvalidInput", "d");
    need(z, 32, "InvalidInput", "z");
    const { publicKey, secretKey } = drawing(keygenDraws(d, z), () => instance.generateKeyPair());
    return { ek: publicKey, dk: secretKey };
  };
  const encaps = ({ ek, m }) => {
    need(m, 32, "InvalidInput", "m");
    need(ek, ekLen, "InvalidKey", "ek");
    const { ciphertext, sharedSecret } = drawing([m], () =>
      rejecting(() => instance.encapsulate(ek), "InvalidKey"),
    );
    return { c: ciphertext, k: sharedSecret };
  };
  const decaps = ({ dk, c }) => {
    need(c, cLen, "InvalidMessage", "c");
    need(dk, dkLen, "InvalidKey", "dk");
    return drawing([], () => rejecting(() => instance.decapsulate(c, dk), "InvalidKey"));
  };
  return { keygen, encaps, decaps };
}

function concat(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

// --- the table ----------------------------------------------------------------------------

const handlers = {};
const capabilities = [];
const notes = {};

for (const [n, create] of [
  [512, oqs.createMLKEM512],
  [768, oqs.createMLKEM768],
  [1024, oqs.createMLKEM1024],
]) {
  const { keygen, encaps, decaps } = kem(await create(), {
    keygenDraws: (d, z) => [concat(d, z)],
  });
  handlers[`ml-kem-${n}.ml_kem_keygen`] = keygen;
  handlers[`ml-kem-${n}.ml_kem_encaps`] = encaps;
  handlers[`ml-kem-${n}.ml_kem_decaps`] = decaps;
  capabilities.push(`ml-kem-${n}`, `ml-kem-${n}:fixed-randomness`);
  notes[`ml-kem-${n}`] =
    `createMLKEM${n}(): generateKeyPair(), encapsulate(ek) -> {ciphertext, sharedSecret}, ` +
    "decapsulate(c, dk); dk is the expanded FIPS 203 key. liboqs's -1 from encaps (the §7.2 " +
    "modulus check) and from decaps (the §7.3 hash check) are InvalidKey; lengths are checked " +
    "by the adapter first (c: InvalidMessage; ek, dk: InvalidKey; d, z, m: InvalidInput)";
  notes[`ml-kem-${n}:fixed-randomness`] =
    "no derandomised API: the adapter replaces node:crypto's randomFillSync, through which the " +
    "Emscripten glue draws every random byte, and serves d || z (one 64-byte draw in keygen) and " +
    "m (one 32-byte draw in encapsulation); any other draw is an error";
}

{
  const { keygen, encaps, decaps } = kem(await oqs.createKyber1024(), {
    keygenDraws: (d, z) => [d, z],
  });
  handlers["kyber1024-r3.kyber_keygen"] = keygen;
  handlers["kyber1024-r3.kyber_encaps"] = encaps;
  handlers["kyber1024-r3.kyber_decaps"] = decaps;
  capabilities.push("kyber1024-r3", "kyber1024-r3:fixed-randomness");
  notes["kyber1024-r3"] =
    "createKyber1024(): liboqs's round-3 Kyber1024 (the NIST round-3 submission, not ML-KEM). " +
    "Round 3 has no input checks on ek or dk; a -1 from liboqs would be InvalidKey. Lengths are " +
    "checked by the adapter first";
  notes["kyber1024-r3:fixed-randomness"] =
    "as ml-kem's: keygen draws d, then z (32 bytes each), encapsulation m (32 bytes, hashed by " +
    "the scheme), all served through the replaced randomFillSync";
}

serve(
  {
    name: "liboqs-js",
    implementation: "@oqs/liboqs-js",
    version: `${packageVersion("@oqs/liboqs-js", import.meta.url)}, node ${process.versions.node}`,
    capabilities,
    notes,
  },
  handlers,
);

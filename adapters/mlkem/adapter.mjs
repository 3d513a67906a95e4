// Adapter for mlkem (npm, by dajiaji; formerly crystals-kyber-js): ML-KEM (FIPS 203), pure TS.
import { packageVersion, Refusal, serve } from "./e2ee-host.mjs";
import { MlKem512, MlKem768, MlKem1024, MlKemError } from "mlkem";

// Every public method wraps whatever went wrong in an MlKemError carrying the original message,
// so its deliberate rejections are told apart by message; an MlKemError with any other message,
// and any other exception, propagates as an error.
const KNOWN = [
  [/^invalid encapsulation key$/, "InvalidKey"], // ek length, or the §7.2 modulus check
  [/^Invalid decapsulation key$/, "InvalidKey"], // dk length
  [/^Invalid ct size$/, "InvalidMessage"], // ciphertext length
  [/^seed must be (32|64) bytes in length$/, "InvalidInput"], // m or d || z length
];

async function refusing(fn) {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof MlKemError) {
      for (const [pattern, kind] of KNOWN) {
        if (pattern.test(err.message)) throw new Refusal(kind, err.message);
      }
    }
    throw err;
  }
}

function need(bytes, length, kind, what) {
  if (bytes.length !== length) {
    throw new Refusal(kind, `${what} must be ${length} bytes, got ${bytes.length}`);
  }
}

function mlKem(Kem) {
  return {
    async ml_kem_keygen({ d, z }) {
      // The library sees d || z as one 64-byte seed: each half is checked here.
      need(d, 32, "InvalidInput", "d");
      need(z, 32, "InvalidInput", "z");
      const seed = new Uint8Array(64);
      seed.set(d, 0);
      seed.set(z, 32);
      const [pk, sk] = await refusing(() => new Kem().deriveKeyPair(seed));
      return { ek: pk, dk: sk };
    },
    async ml_kem_encaps({ ek, m }) {
      const [ct, ss] = await refusing(() => new Kem().encap(ek, m)); // note the order: [ct, ss]
      return { c: ct, k: ss };
    },
    async ml_kem_decaps({ dk, c }) {
      return refusing(() => new Kem().decap(c, dk));
    },
  };
}

const handlers = {};
const capabilities = [];
const notes = {};
for (const [n, Kem] of [
  [512, MlKem512],
  [768, MlKem768],
  [1024, MlKem1024],
]) {
  for (const [name, fn] of Object.entries(mlKem(Kem))) handlers[`ml-kem-${n}.${name}`] = fn;
  capabilities.push(`ml-kem-${n}`, `ml-kem-${n}:fixed-randomness`);
  notes[`ml-kem-${n}`] =
    `new MlKem${n}(): deriveKeyPair(d || z), encap(ek, m) -> [c, k], decap(c, dk); dk is the ` +
    "expanded FIPS 203 key. Every error is an MlKemError: 'invalid encapsulation key' (ek " +
    "length or the §7.2 modulus check, also raised by decap when the ek inside dk fails it) " +
    "and 'Invalid decapsulation key' (dk length) are InvalidKey, 'Invalid ct size' " +
    "InvalidMessage. Measured with 2.7.0: decap does NOT do the FIPS 203 §7.3 hash check: a " +
    "dk whose stored H(ek) is wrong is accepted and a key is returned (for an honest ciphertext " +
    "the implicit-rejection key J(z || c)); the adapter passes that through. A modified " +
    "ciphertext gives the implicit-rejection key J(z || c)";
  notes[`ml-kem-${n}:fixed-randomness`] =
    "deriveKeyPair's 64-byte seed (d || z) and encap's 32-byte m are public parameters, used " +
    "byte for byte";
}

serve(
  {
    name: "mlkem",
    implementation: "mlkem",
    version: packageVersion("mlkem", import.meta.url),
    capabilities,
    notes,
  },
  handlers,
);

// Adapter for @noble/post-quantum (pure JS): ML-KEM (FIPS 203), ML-DSA (FIPS 204) and X-Wing.
import { packageVersion, Refusal, serve } from "./e2ee-host.mjs";
import { ml_dsa44, ml_dsa65, ml_dsa87 } from "@noble/post-quantum/ml-dsa.js";
import { ml_kem512, ml_kem768, ml_kem1024 } from "@noble/post-quantum/ml-kem.js";
import { ml_kem768_x25519 } from "@noble/post-quantum/hybrid.js";

// Every length is checked here first, so a wrong length is the adapter's refusal (noble's own
// length checks are RangeErrors from abytes(), not deliberate rejections). What is left for the
// library to refuse is matched by its message below; anything else propagates as an error.

function need(bytes, length, kind, what) {
  if (bytes.length !== length) {
    throw new Refusal(kind, `${what} must be ${length} bytes, got ${bytes.length}`);
  }
}

/** Run fn; a library Error whose message matches one of `known` becomes that Refusal. */
function refusing(fn, known) {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof Refusal)) {
      for (const [pattern, kind] of known) {
        if (err instanceof Error && pattern.test(err.message)) throw new Refusal(kind, err.message);
      }
    }
    throw err;
  }
}

const MODULUS = /wrong publicKey modulus/; // ML-KEM.encapsulate: the §7.2 modulus check
const HASH_CHECK = /hash check failed/; // ML-KEM.decapsulate: the §7.3 H(ek) check
const LOW_ORDER = /invalid private or public key received/; // @noble/curves x25519: all-zero output
const MALFORMED_SK = /malformed key/; // ML-DSA skDecode: s1/s2 outside the eta range

function concat(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

// --- ML-KEM -------------------------------------------------------------------------------

function mlKem(kem) {
  const { publicKey: ekLen, secretKey: dkLen, cipherText: cLen } = kem.lengths;
  return {
    ml_kem_keygen({ d, z }) {
      need(d, 32, "InvalidInput", "d");
      need(z, 32, "InvalidInput", "z");
      const { publicKey, secretKey } = kem.keygen(concat(d, z)); // seed = d || z (FIPS 203 order)
      return { ek: publicKey, dk: secretKey };
    },
    ml_kem_encaps({ ek, m }) {
      need(m, 32, "InvalidInput", "m");
      need(ek, ekLen, "InvalidKey", "ek");
      const { cipherText, sharedSecret } = refusing(
        () => kem.encapsulate(ek, m),
        [[MODULUS, "InvalidKey"]],
      );
      return { c: cipherText, k: sharedSecret };
    },
    ml_kem_decaps({ dk, c }) {
      need(c, cLen, "InvalidMessage", "c");
      need(dk, dkLen, "InvalidKey", "dk");
      return refusing(() => kem.decapsulate(c, dk), [[HASH_CHECK, "InvalidKey"]]);
    },
  };
}

// --- ML-DSA -------------------------------------------------------------------------------

/** extraEntropy: false is noble's deterministic variant (rnd = 0^32); any other rnd is used as is. */
const entropy = (rnd) => (rnd.every((b) => b === 0) ? false : rnd);

function mlDsa(dsa) {
  const { publicKey: pkLen, secretKey: skLen } = dsa.lengths;
  const context = (ctx) => {
    if (ctx.length > 255) throw new Refusal("InvalidInput", "context over 255 bytes");
  };
  const verified = (ok) => {
    // noble's verify returns false (it does not throw) for a bad or malformed signature.
    if (ok !== true) throw new Refusal("InvalidSignature", "signature did not verify");
    return null;
  };
  return {
    ml_dsa_keygen({ xi }) {
      need(xi, 32, "InvalidInput", "xi");
      const { publicKey, secretKey } = dsa.keygen(xi);
      return { pk: publicKey, sk: secretKey };
    },
    ml_dsa_sign({ sk, message, context: ctx, rnd }) {
      context(ctx);
      need(rnd, 32, "InvalidInput", "rnd");
      need(sk, skLen, "InvalidKey", "sk");
      return refusing(
        () => dsa.sign(message, sk, { context: ctx, extraEntropy: entropy(rnd) }),
        [[MALFORMED_SK, "InvalidKey"]],
      );
    },
    ml_dsa_verify({ pk, message, context: ctx, signature }) {
      context(ctx);
      need(pk, pkLen, "InvalidKey", "pk");
      return verified(dsa.verify(signature, message, pk, { context: ctx }));
    },
    ml_dsa_sign_mu({ sk, mu, rnd }) {
      need(mu, 64, "InvalidInput", "mu");
      need(rnd, 32, "InvalidInput", "rnd");
      need(sk, skLen, "InvalidKey", "sk");
      return refusing(
        () => dsa.internal.sign(mu, sk, { externalMu: true, extraEntropy: entropy(rnd) }),
        [[MALFORMED_SK, "InvalidKey"]],
      );
    },
    ml_dsa_verify_mu({ pk, mu, signature }) {
      need(mu, 64, "InvalidInput", "mu");
      need(pk, pkLen, "InvalidKey", "pk");
      return verified(dsa.internal.verify(signature, mu, pk, { externalMu: true }));
    },
  };
}

// --- X-Wing -------------------------------------------------------------------------------

const xwing = ml_kem768_x25519; // lengths: seed 32, publicKey 1216, secretKey 32, msgRand 64, cipherText 1120

const xWing = {
  x_wing_keygen({ seed }) {
    need(seed, 32, "InvalidInput", "seed");
    const { publicKey, secretKey } = xwing.keygen(seed); // secretKey is the seed itself
    return { ek: publicKey, dk: secretKey };
  },
  x_wing_encaps({ ek, eseed }) {
    need(eseed, 64, "InvalidInput", "eseed");
    need(ek, xwing.lengths.publicKey, "InvalidKey", "ek");
    const { cipherText, sharedSecret } = refusing(
      () => xwing.encapsulate(ek, eseed),
      [
        [MODULUS, "InvalidKey"],
        [LOW_ORDER, "InvalidKey"],
      ],
    );
    return { c: cipherText, k: sharedSecret };
  },
  x_wing_decaps({ dk, c }) {
    need(c, xwing.lengths.cipherText, "InvalidMessage", "c");
    need(dk, xwing.lengths.secretKey, "InvalidKey", "dk");
    return refusing(() => xwing.decapsulate(c, dk), [[LOW_ORDER, "InvalidMessage"]]);
  },
};

// --- the table ----------------------------------------------------------------------------

const handlers = {};
function register(capability, object) {
  for (const [name, fn] of Object.entries(object)) handlers[`${capability}.${name}`] = fn;
}

const KEMS = { 512: ml_kem512, 768: ml_kem768, 1024: ml_kem1024 };
const DSAS = { 44: ml_dsa44, 65: ml_dsa65, 87: ml_dsa87 };
const capabilities = [];
const notes = {};

for (const [n, kem] of Object.entries(KEMS)) {
  register(`ml-kem-${n}`, mlKem(kem));
  capabilities.push(`ml-kem-${n}`, `ml-kem-${n}:fixed-randomness`);
  notes[`ml-kem-${n}`] =
    `ml_kem${n}.keygen(d || z), .encapsulate(ek, m) and .decapsulate(c, dk); dk is the ` +
    "expanded FIPS 203 key. The library does the §7.2 modulus check ('wrong publicKey " +
    "modulus', InvalidKey) and the §7.3 hash check ('invalid secretKey: hash check failed', " +
    "InvalidKey); lengths are checked by the adapter first (wrong c: InvalidMessage; wrong ek " +
    "or dk: InvalidKey; wrong d, z or m: InvalidInput). Implicit rejection returns J(z || c)";
  notes[`ml-kem-${n}:fixed-randomness`] =
    "keygen's seed and encapsulate's m are public parameters, used byte for byte";
}
for (const [n, dsa] of Object.entries(DSAS)) {
  const { ml_dsa_keygen, ml_dsa_sign, ml_dsa_verify, ml_dsa_sign_mu, ml_dsa_verify_mu } =
    mlDsa(dsa);
  register(`ml-dsa-${n}`, { ml_dsa_keygen, ml_dsa_sign, ml_dsa_verify });
  register(`ml-dsa-${n}:external-mu`, { ml_dsa_sign_mu, ml_dsa_verify_mu });
  capabilities.push(`ml-dsa-${n}`, `ml-dsa-${n}:fixed-randomness`, `ml-dsa-${n}:external-mu`);
  notes[`ml-dsa-${n}`] =
    `ml_dsa${n}.keygen(xi), .sign(message, sk, { context, extraEntropy }) and ` +
    ".verify(sig, message, pk, { context }). verify returns false (never throws) for a wrong " +
    "length or a malformed hint: the adapter turns false into InvalidSignature. A context over " +
    "255 bytes is InvalidInput (the adapter's check; the library's RangeError would say the " +
    "same), a wrong-length pk or sk InvalidKey, an sk whose s1/s2 fall outside the eta range " +
    "('malformed key', the library's skDecode) InvalidKey";
  notes[`ml-dsa-${n}:fixed-randomness`] =
    "rnd is passed as extraEntropy; an all-zero rnd as extraEntropy: false (the library's " +
    "deterministic variant, which uses 32 zero bytes)";
  notes[`ml-dsa-${n}:external-mu`] =
    `ml_dsa${n}.internal.sign(mu, sk, { externalMu: true, extraEntropy }) and ` +
    ".internal.verify(sig, mu, pk, { externalMu: true }) (false: InvalidSignature)";
}
register("x-wing", xWing);
capabilities.push("x-wing", "x-wing:fixed-randomness");
notes["x-wing"] =
  "hybrid.js ml_kem768_x25519 (draft-connolly-cfrg-xwing-kem-10: SHAKE256 seed expansion, " +
  "label last; its Appendix C vectors reproduce). dk is the 32-byte seed. An ek failing ML-KEM's " +
  "modulus check is InvalidKey; @noble/curves' x25519 refuses an all-zero X25519 output " +
  "('invalid private or public key received'), which the adapter reports as InvalidKey in " +
  "encapsulation (ek's X25519 part) and InvalidMessage in decapsulation (c's X25519 part); " +
  "the draft itself has no such check";
notes["x-wing:fixed-randomness"] =
  "encapsulate(ek, eseed) takes the 64-byte eseed (ML-KEM m, then the X25519 ephemeral key) " +
  "byte for byte; keygen takes the seed";

serve(
  {
    name: "noble-post-quantum",
    implementation: "@noble/post-quantum",
    version: packageVersion("@noble/post-quantum", import.meta.url),
    capabilities,
    notes,
  },
  handlers,
);

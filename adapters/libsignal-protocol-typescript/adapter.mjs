// Adapter for @privacyresearch/libsignal-protocol-typescript: classic Signal (X3DH, the Double
// Ratchet, the version-3 wire format) in TypeScript over WebCrypto and an asm.js curve25519.
//
// A party is UTF-8 JSON: the identity key pair, registration id, signed pre-key (with the
// signature the library made), one-time pre-keys, the one peer's identity key, the library's
// SessionRecord string and a logical clock. Every call parses it into a fresh StorageType,
// lets the library work on that, and serialises the result, so nothing survives between calls.
//
// Randomness: the library draws every private key through webcrypto.getRandomValues(32 bytes),
// and setWebCrypto lets us supply that function. Each call queues the injected private keys in
// the order the library draws them (KeyHelper: identity, signed pre-key, pre-key;
// processPreKey: base key, then Alice's first ratchet key; a decrypt that meets a new ratchet
// key: the next sending ratchet key). When values are injected a draw that is not expected is
// an error, never a silent fallback to the system RNG. The signature on the signed pre-key is
// the library's curve25519_sign, which takes no random input at all (its nonce is
// SHA-512(private key || message)), so `signature_random` cannot be used.
//
// Date.now() stamps archived sessions and old ratchets inside the record; it is replaced by a
// counter kept in the party while a call runs, so that the returned state is reproducible.
//
// Protocol 2 (docs/adapter-protocol.md, "State after a refusal"): a refused signal_initiate or
// signal_decrypt carries the party as the library's store holds it after the failed attempt
// (what it stored on the way: the SessionRecord string, the peer's identity key, the pre-keys).
// SessionBuilder.processV3 saves the sender's identity key before the embedded message of a
// pre-key message decrypts, so a refused forged pre-key message can leave it pinned; that shows.
//
// Library errors: only the library's own deliberate rejections become refusals (its explicit
// `throw new Error("Bad MAC")`-style errors and MessageCounterError, matched by message in
// translate()). Everything else propagates as an internal error, because a crash on malformed
// input is a finding: a TypeError, protobufjs's RangeError ("index out of range") and "invalid
// wire type" errors leaking out of the library's unchecked decode(), and WebCrypto's
// OperationError from an AES-CBC decryption the library does not wrap.
import { packageVersion, Refusal, serve } from "./e2ee-host.mjs";
import { createPublicKey, createPrivateKey, webcrypto } from "node:crypto";
import { createRequire } from "node:module";
import libsignal from "@privacyresearch/libsignal-protocol-typescript";

const LIB = "@privacyresearch/libsignal-protocol-typescript";
const { KeyHelper, SessionBuilder, SessionCipher, SignalProtocolAddress, setWebCrypto } = libsignal;
// SessionLock keeps every job's promise and error in static arrays; emptied after each call so
// the long-running process does not grow without bound.
const { SessionLock } = createRequire(import.meta.url)(`${LIB}/lib/session-lock.js`);

const PEER = new SignalProtocolAddress("peer", 1);
const FORMAT = "libsignal-protocol-typescript/party/1";

// --- the per-call context: injected randomness and the logical clock -----------------------

let current = null;

setWebCrypto({
  subtle: webcrypto.subtle,
  getRandomValues(array) {
    if (current === null || current.randoms === null) return webcrypto.getRandomValues(array);
    const next = current.randoms.shift();
    if (next === undefined) {
      throw new Error(`unexpected random draw of ${array.length} bytes (none injected left)`);
    }
    if (next.length !== array.length) {
      throw new Error(`random draw of ${array.length} bytes where ${next.length} were injected`);
    }
    array.set(next);
    return array;
  },
});

const realNow = Date.now;
Date.now = () => (current === null ? realNow() : ++current.state.clock);

// One call at a time: the context above is global, and batch requests run concurrently.
let tail = Promise.resolve();
function exclusive(fn) {
  return (params) => {
    const run = tail.then(() => fn(params));
    tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };
}

async function withContext(state, randoms, fn) {
  current = { state, randoms, missingPreKey: null };
  try {
    const result = await fn(current);
    if (current.randoms !== null && current.randoms.length && current.strict) {
      throw new Error(`${current.randoms.length} injected random values were not used`);
    }
    return result;
  } finally {
    current = null;
    SessionLock._promises.length = 0;
    SessionLock.errors.length = 0;
  }
}

// --- bytes ---------------------------------------------------------------------------------

const hex = (buf) => Buffer.from(buf instanceof ArrayBuffer ? new Uint8Array(buf) : buf).toString("hex");
const buffer = (text) => new Uint8Array(Buffer.from(text, "hex")).buffer;
const copy = (bytes) => bytes.slice().buffer;

function x25519Public(priv) {
  const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b656e04220420", "hex"), priv]);
  const spki = createPublicKey(createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" }))
    .export({ format: "der", type: "spki" });
  return Buffer.concat([Buffer.from([5]), spki.subarray(spki.length - 32)]).toString("hex");
}

function need(cond, kind, message) {
  if (!cond) throw new Refusal(kind, message);
}

function privateKey(bytes, what) {
  need(bytes instanceof Uint8Array && bytes.length === 32, "InvalidInput", `${what}: 32 bytes expected`);
  return bytes;
}

function keyId(value, what) {
  need(Number.isInteger(value) && value >= 0 && value <= 0xffffffff, "InvalidInput", `${what}: not a uint32`);
  return value;
}

// --- the party -----------------------------------------------------------------------------

function loadParty(bytes) {
  let state;
  try {
    state = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    throw new Refusal("InvalidInput", "party: not a party of this adapter");
  }
  need(state && state.format === FORMAT, "InvalidInput", "party: not a party of this adapter");
  return state;
}

const dumpParty = (state) => new Uint8Array(Buffer.from(JSON.stringify(state), "utf8"));

function storeOf(state) {
  const pair = (k) => (k === undefined ? undefined : { pubKey: buffer(k.pub), privKey: buffer(k.priv) });
  return {
    getIdentityKeyPair: async () => pair(state.identity),
    getLocalRegistrationId: async () => state.registrationId,
    // Synchronous on purpose: SessionBuilder.processV3 calls it without await, so a promise
    // would always count as trusted. Trust on first use, one peer per party.
    isTrustedIdentity: (_name, key) => state.peerIdentity === null || state.peerIdentity === hex(key),
    saveIdentity: async (_address, key) => {
      const changed = state.peerIdentity !== null && state.peerIdentity !== hex(key);
      state.peerIdentity = hex(key);
      return changed;
    },
    loadPreKey: async (id) => {
      const key = state.preKeys[String(id)];
      // The library silently carries on without a one-time pre-key it does not know (the
      // session then disagrees and the MAC fails); remembered to name that refusal.
      if (key === undefined && id) current.missingPreKey = id;
      return pair(key);
    },
    storePreKey: async (id, kp) => {
      state.preKeys[String(id)] = { pub: hex(kp.pubKey), priv: hex(kp.privKey) };
    },
    removePreKey: async (id) => {
      delete state.preKeys[String(id)];
    },
    loadSignedPreKey: async (id) => pair(state.signedPreKeys[String(id)]),
    storeSignedPreKey: async (id, kp) => {
      const old = state.signedPreKeys[String(id)];
      state.signedPreKeys[String(id)] = { ...old, pub: hex(kp.pubKey), priv: hex(kp.privKey) };
    },
    removeSignedPreKey: async (id) => {
      delete state.signedPreKeys[String(id)];
    },
    loadSession: async () => (state.session === null ? undefined : state.session),
    storeSession: async (_address, record) => {
      state.session = record;
    },
  };
}

// --- library errors -> neutral kinds -------------------------------------------------------

function translate(err, ctx) {
  if (err instanceof Refusal) return err;
  const message = String(err?.message ?? err);
  const refuse = (kind) => new Refusal(kind, `${err?.name ?? "Error"}: ${message}`);
  if (err?.name === "MessageCounterError") return refuse("DuplicateMessage");
  if (message === "Bad MAC") {
    if (ctx?.missingPreKey) {
      return new Refusal("InvalidKey", `unknown one-time pre-key ${ctx.missingPreKey} (the library ignored it; then: Bad MAC)`);
    }
    return refuse("AuthenticationFailed");
  }
  if (message === "Invalid signature") return refuse("InvalidSignature");
  if (/^Invalid public key|^Unknown identity key|^Identity key changed|^Missing Signed PreKey/.test(message)) {
    return refuse("InvalidKey");
  }
  if (
    /^Incompatible version|^Over 2000 messages|^Bad MAC length|^Tried to decrypt on a sending chain|^Got invalid request to extend chain|^No record for|^No session found|^unable to find session|^No registrationId/.test(message)
  ) {
    return refuse("InvalidMessage");
  }
  // Not the library's own rejection (TypeError, protobufjs's RangeError and wire-type errors,
  // WebCrypto's OperationError): an internal error, never a refusal.
  return err;
}

async function guarded(ctx, fn) {
  try {
    return await fn();
  } catch (err) {
    throw translate(err, ctx);
  }
}

/** Run fn; a Refusal it throws carries the party as the store holds it then (protocol 2). */
async function stateAfter(state, fn) {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof Refusal && err.state === undefined) err.state = dumpParty(state);
    throw err;
  }
}

// --- operations ----------------------------------------------------------------------------

async function signalParty(p) {
  const identityPrivate = privateKey(p.identity_private, "identity_private");
  const signedPrivate = privateKey(p.signed_prekey_private, "signed_prekey_private");
  need(p.signature_random instanceof Uint8Array && p.signature_random.length === 64, "InvalidInput", "signature_random: 64 bytes expected");
  const registrationId = keyId(p.registration_id, "registration_id");
  const signedId = keyId(p.signed_prekey_id, "signed_prekey_id");
  const preKeyId = keyId(p.prekey_id, "prekey_id");
  const hasPreKey = p.prekey_private.length > 0;
  const randoms = [identityPrivate, signedPrivate];
  if (hasPreKey) randoms.push(privateKey(p.prekey_private, "prekey_private"));
  const state = {
    format: FORMAT,
    registrationId,
    identity: null,
    signedPreKeys: {},
    preKeys: {},
    peerIdentity: null,
    session: null,
    clock: 0,
  };
  return withContext(state, randoms, async (ctx) => {
    ctx.strict = true;
    const store = storeOf(state);
    const identity = await KeyHelper.generateIdentityKeyPair();
    state.identity = { pub: hex(identity.pubKey), priv: hex(identity.privKey) };
    const signed = await KeyHelper.generateSignedPreKey(identity, signedId);
    await store.storeSignedPreKey(signedId, signed.keyPair);
    state.signedPreKeys[String(signedId)].signature = hex(signed.signature);
    if (hasPreKey) {
      const pre = await KeyHelper.generatePreKey(preKeyId);
      await store.storePreKey(preKeyId, pre.keyPair);
    }
    // The injected bytes must be the keys the library made (it clamps, X25519 does too).
    const check = [[state.identity.pub, identityPrivate], [state.signedPreKeys[String(signedId)].pub, signedPrivate]];
    if (hasPreKey) check.push([state.preKeys[String(preKeyId)].pub, p.prekey_private]);
    for (const [pub, priv] of check) {
      if (pub !== x25519Public(priv)) throw new Error("the library did not use the injected private key");
    }
    return dumpParty(state);
  });
}

function signalBundle({ party }) {
  const state = loadParty(party);
  const [signedId, signed] = Object.entries(state.signedPreKeys)[0];
  const pre = Object.entries(state.preKeys)[0];
  return {
    registration_id: state.registrationId,
    identity_key: Buffer.from(state.identity.pub, "hex"),
    signed_prekey_id: Number(signedId),
    signed_prekey: Buffer.from(signed.pub, "hex"),
    signed_prekey_signature: Buffer.from(signed.signature, "hex"),
    prekey_id: pre ? Number(pre[0]) : 0,
    prekey: pre ? Buffer.from(pre[1].pub, "hex") : new Uint8Array(0),
  };
}

async function signalInitiate(p) {
  const state = loadParty(p.party);
  return stateAfter(state, () => initiate(state, p));
}

async function initiate(state, p) {
  const inject = p.base_key.length > 0 || p.ratchet_key.length > 0;
  const randoms = inject ? [privateKey(p.base_key, "base_key"), privateKey(p.ratchet_key, "ratchet_key")] : null;
  const device = {
    registrationId: keyId(p.registration_id, "registration_id"),
    identityKey: copy(p.identity_key),
    signedPreKey: {
      keyId: keyId(p.signed_prekey_id, "signed_prekey_id"),
      publicKey: copy(p.signed_prekey),
      signature: copy(p.signed_prekey_signature),
    },
  };
  if (p.prekey.length > 0) device.preKey = { keyId: keyId(p.prekey_id, "prekey_id"), publicKey: copy(p.prekey) };
  return withContext(state, randoms, async (ctx) => {
    ctx.strict = inject;
    const session = await guarded(ctx, () => new SessionBuilder(storeOf(state), PEER).processPreKey(device));
    if (inject) {
      const ratchet = hex(session.currentRatchet.ephemeralKeyPair.pubKey);
      if (hex(session.pendingPreKey.baseKey) !== x25519Public(p.base_key) || ratchet !== x25519Public(p.ratchet_key)) {
        throw new Error("the library did not use the injected base or ratchet key");
      }
    }
    return dumpParty(state);
  });
}

async function signalEncrypt({ party, plaintext }) {
  const state = loadParty(party);
  need(state.session !== null, "InvalidInput", "no session with the peer yet");
  // Encrypting draws nothing: an unexpected draw is an error.
  return withContext(state, [], async (ctx) => {
    const out = await guarded(ctx, () => new SessionCipher(storeOf(state), PEER).encrypt(copy(plaintext)));
    return {
      party: dumpParty(state),
      type: out.type === 3 ? 3 : 2,
      message: new Uint8Array(Buffer.from(out.body, "latin1")),
    };
  });
}

async function signalDecrypt({ party, type, message, ratchet_key }) {
  const state = loadParty(party);
  return stateAfter(state, () => decrypt(state, type, message, ratchet_key));
}

async function decrypt(state, type, message, ratchet_key) {
  need(type === 2 || type === 3, "InvalidInput", `message type ${type}: 2 or 3 expected`);
  const randoms = ratchet_key.length > 0 ? [privateKey(ratchet_key, "ratchet_key")] : null;
  return withContext(state, randoms, async (ctx) => {
    const cipher = new SessionCipher(storeOf(state), PEER);
    const body = copy(message);
    const plaintext = await guarded(ctx, () =>
      type === 3 ? cipher.decryptPreKeyWhisperMessage(body, "binary") : cipher.decryptWhisperMessage(body, "binary"),
    );
    return { party: dumpParty(state), plaintext: new Uint8Array(plaintext) };
  });
}

/**
 * Safety numbers through the library's own FingerprintGenerator (libsignal fingerprint.rs
 * version 0): identifiers are byte strings, passed as the binary strings the library expects.
 */
async function signalFingerprint({ iterations, local_id, local_key, remote_id, remote_key }) {
  need(Number.isInteger(iterations) && iterations >= 1, "InvalidInput", `iterations ${iterations}`);
  const text = (bytes) => String.fromCharCode(...bytes);
  const generator = new libsignal.FingerprintGenerator(iterations);
  const display = await generator.createFor(text(local_id), copy(local_key), text(remote_id), copy(remote_key));
  return new TextEncoder().encode(display);
}

serve(
  {
    name: "libsignal-protocol-typescript",
    implementation: LIB,
    version: packageVersion(LIB, import.meta.url),
    capabilities: ["signal", "signal-fingerprint"],
    notes: {
      signal:
        "private keys injected through setWebCrypto's getRandomValues (identity, pre-keys, base key, ratchet keys; checked against X25519 of the injected values); the signed-pre-key signature is deterministic (curve25519_sign has no random input), so signature_random is unused and signal:fixed-randomness is not declared (see the manifest's notes)",
    },
  },
  {
    "signal.signal_party": exclusive(signalParty),
    "signal.signal_bundle": exclusive(signalBundle),
    "signal.signal_initiate": exclusive(signalInitiate),
    "signal.signal_encrypt": exclusive(signalEncrypt),
    "signal.signal_decrypt": exclusive(signalDecrypt),
    "signal-fingerprint.signal_fingerprint": signalFingerprint,
  },
);

// The classic `signal` capability (X3DH, the Double Ratchet, the version-3 wire format) over
// Signal's own @signalapp/libsignal-client, shared by the version adapters
// adapters/libsignal-client-<version>/ (each copies this file next to its adapter.mjs through
// `[environment] shared`, so `@signalapp/libsignal-client` resolves to that version's pin).
//
// classicHandlers(lib) gives the handler table for `signal.signal_party`, `signal.signal_bundle`,
// `signal.signal_initiate`, `signal.signal_encrypt` and `signal.signal_decrypt`, given the
// imported library module; compat.mjs must be shared beside it too. Only versions that still
// take a pre-key bundle without a Kyber pre-key can run it: up to 0.72.1. From 0.75.1 on the
// Kyber arguments of PreKeyBundle.new are mandatory and a v3 PreKeySignalMessage is refused
// ("invalid PreKey message: X3DH no longer supported").
//
// A party is UTF-8 JSON: the raw identity private key, the registration id, the library's
// serialized SignedPreKeyRecord and PreKeyRecords, the one peer's identity key (trusted on first
// use) and the library's serialized SessionRecord. Every call builds fresh in-memory stores
// (subclasses of the library's abstract store classes) from it, lets the library work on them,
// and serialises them again, so nothing survives between calls.
//
// Randomness: libsignal draws from its own OS RNG inside Rust. Private keys are imported
// (PrivateKey.deserialize of the 32 raw bytes, checked against node:crypto's X25519), but the
// signed-pre-key signature (XEdDSA with its own 64-byte nonce), the base key and the ratchet
// keys cannot be injected, so `signature_random`, `base_key` and `ratchet_key` are unused and
// `signal:fixed-randomness` is not declared.
//
// Protocol 2 (docs/adapter-protocol.md, "State after a refusal"): a refused signal_initiate or
// signal_decrypt carries the party as the stores hold it after the failed attempt (whatever the
// library saved through them on the way: an identity, a session, a removed pre-key).
//
// Library errors: libsignal's deliberate rejections are LibSignalErrorBase instances (a `code`
// and the Rust SignalProtocolError's Display text as the message); translate() maps those to the
// neutral kinds by code and message. Anything else (a TypeError, an FFI "failed to downcast"
// binding error, a Rust panic surfaced as an error) propagates as an internal error.
import { compat } from "./compat.mjs";
import { Refusal } from "./e2ee-host.mjs";
import { createPrivateKey, createPublicKey } from "node:crypto";

const FORMAT = "libsignal-client/classic-party/1";
const DEVICE_ID = 1;
// Service-id-shaped names: later versions check protocol addresses.
const LOCAL_NAME = "11111111-1111-4111-8111-111111111111";
const PEER_NAME = "22222222-2222-4222-8222-222222222222";

// --- bytes and input checks ----------------------------------------------------------------

const hex = (bytes) => Buffer.from(bytes).toString("hex");
const bytesOf = (text) => Buffer.from(text, "hex");

function need(cond, kind, message) {
  if (!cond) throw new Refusal(kind, message);
}

function privateBytes(bytes, what) {
  need(bytes instanceof Uint8Array && bytes.length === 32, "InvalidInput", `${what}: 32 bytes expected`);
  return Buffer.from(bytes);
}

function keyId(value, what) {
  need(Number.isInteger(value) && value >= 0 && value <= 0xffffffff, "InvalidInput", `${what}: not a uint32`);
  return value;
}

/** X25519 public key of a raw private key (clamped), with the 0x05 type byte, as hex. */
function x25519Public(priv) {
  const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b656e04220420", "hex"), priv]);
  const spki = createPublicKey(createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" }))
    .export({ format: "der", type: "spki" });
  return Buffer.concat([Buffer.from([5]), spki.subarray(spki.length - 32)]).toString("hex");
}

// --- library errors -> neutral kinds -------------------------------------------------------

/**
 * Only LibSignalErrorBase instances (the library's own SignalProtocolError, carried with an
 * ErrorCode) become refusals; the kind is chosen by code, then by the Rust Display text.
 */
export function translate(lib, err, logged = []) {
  if (err instanceof Refusal) return err;
  const Base = lib.LibSignalErrorBase;
  if (typeof Base !== "function" || !(err instanceof Base)) return err;
  const message = String(err.message);
  const codes = lib.ErrorCode ?? {};
  const refuse = (kind) => new Refusal(kind, `${err.operation ? `${err.operation}: ` : ""}${message}`);
  if (err.code === codes.DuplicatedMessage) return refuse("DuplicateMessage");
  if (err.code === codes.UntrustedIdentity) return refuse("InvalidKey");
  if (err.code === codes.InvalidSession) return refuse("InvalidMessage");
  if (/message: decryption failed$/.test(message)) {
    // Every session state refused it; the log says why: a counter too far ahead is
    // InvalidMessage, else a failed MAC AuthenticationFailed, and any other reason InvalidMessage.
    const reasons = logged.flatMap((line) => [...line.matchAll(/failed with '([^']*)'/g)].map((m) => m[1]));
    const why = reasons.length ? `${message} (per session state, as logged: ${reasons.join("; ")})` : message;
    const tooFar = reasons.some((r) => /too far into the future/.test(r));
    const kind = !tooFar && reasons.some((r) => /MAC verification failed/.test(r)) ? "AuthenticationFailed" : "InvalidMessage";
    return new Refusal(kind, `${err.operation ? `${err.operation}: ` : ""}${why}`);
  }
  if (/MAC verification failed/.test(message)) return refuse("AuthenticationFailed");
  if (/^(signature validation failed|invalid signature detected)/i.test(message)) return refuse("InvalidSignature");
  if (/^(bad key type|bad key length|no key type identifier|invalid prekey identifier|invalid signed prekey identifier|invalid kyber prekey identifier|untrusted identity|invalid public key|invalid private key)/i.test(message)) {
    return refuse("InvalidKey");
  }
  if (
    /^(invalid (PreKey|Whisper|Signal|SenderKey|Plaintext)?\s*message|invalid .* message|ciphertext serialized bytes were too short|ciphertext version was (too old|unrecognized)|unrecognized message version|failed to decode protobuf|protobuf encoding was invalid|session with .* not found|no session|invalid session structure|invalid state for call|message with old counter)/i.test(message)
  ) {
    return refuse("InvalidMessage");
  }
  // A LibSignalError we do not recognise: still the library's error, but not one known to be a
  // deliberate rejection of the input, so it surfaces.
  return err;
}

// --- the party and its stores --------------------------------------------------------------

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

/** The library's store classes, backed by the party state (one peer, device 1). */
function storesOf(lib, state) {
  const identityKey = () => lib.PrivateKey.deserialize(bytesOf(state.identity));
  class Sessions extends lib.SessionStore {
    async saveSession(_name, record) {
      state.session = hex(record.serialize());
    }
    async getSession() {
      return state.session === null ? null : lib.SessionRecord.deserialize(bytesOf(state.session));
    }
    async getExistingSessions(addresses) {
      if (state.session === null) throw new Error("no session with the peer");
      return addresses.map(() => lib.SessionRecord.deserialize(bytesOf(state.session)));
    }
  }
  class Identities extends lib.IdentityKeyStore {
    async getIdentityKey() {
      return identityKey();
    }
    async getLocalRegistrationId() {
      return state.registrationId;
    }
    async saveIdentity(_name, key) {
      const replaced = state.peerIdentity !== null && state.peerIdentity !== hex(key.serialize());
      state.peerIdentity = hex(key.serialize());
      // Before 0.76 a boolean, which compat.mjs's IdentityChange stands for there.
      return replaced ? lib.IdentityChange.ReplacedExisting : lib.IdentityChange.NewOrUnchanged;
    }
    async isTrustedIdentity(_name, key) {
      // Trust on first use, one peer per party.
      return state.peerIdentity === null || state.peerIdentity === hex(key.serialize());
    }
    async getIdentity() {
      return state.peerIdentity === null ? null : lib.PublicKey.deserialize(bytesOf(state.peerIdentity));
    }
  }
  // A missing pre-key is answered with the library's own error type where it has one, so that
  // the library reports it as it would for a real store ("invalid prekey identifier").
  const missing = (what, id) => new Refusal("InvalidKey", `unknown ${what} ${id}`);
  class PreKeys extends lib.PreKeyStore {
    async savePreKey(id, record) {
      state.preKeys[String(id)] = hex(record.serialize());
    }
    async getPreKey(id) {
      const record = state.preKeys[String(id)];
      if (record === undefined) throw missing("one-time pre-key", id);
      return lib.PreKeyRecord.deserialize(bytesOf(record));
    }
    async removePreKey(id) {
      delete state.preKeys[String(id)];
    }
  }
  class SignedPreKeys extends lib.SignedPreKeyStore {
    async saveSignedPreKey(id, record) {
      state.signedPreKeys[String(id)] = hex(record.serialize());
    }
    async getSignedPreKey(id) {
      const record = state.signedPreKeys[String(id)];
      if (record === undefined) throw missing("signed pre-key", id);
      return lib.SignedPreKeyRecord.deserialize(bytesOf(record));
    }
  }
  class KyberPreKeys extends lib.KyberPreKeyStore {
    async saveKyberPreKey() {
      throw new Error("a classic party holds no Kyber pre-keys");
    }
    async getKyberPreKey(id) {
      throw missing("Kyber pre-key", id);
    }
    async markKyberPreKeyUsed() {}
  }
  return {
    sessions: new Sessions(),
    identities: new Identities(),
    preKeys: new PreKeys(),
    signedPreKeys: new SignedPreKeys(),
    kyberPreKeys: new KyberPreKeys(),
  };
}

// A Refusal thrown by a store callback comes back wrapped by the library (an "error in method
// call" LibSignalError, whose cause is lost on the way through Rust); remembered here so the
// refusal the adapter meant is what the suite sees.
function remembered(stores) {
  for (const store of Object.values(stores)) {
    for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(store))) {
      const fn = store[name];
      if (name === "constructor" || typeof fn !== "function" || name.startsWith("_")) continue;
      store[name] = async (...args) => {
        try {
          return await fn.apply(store, args);
        } catch (err) {
          if (err instanceof Refusal) stores.refusal ??= err;
          throw err;
        }
      };
    }
  }
  return stores;
}

// --- the handlers --------------------------------------------------------------------------

/**
 * The classic `signal` handlers for one imported @signalapp/libsignal-client module. They run
 * one at a time (the host may run batch requests concurrently; each call owns its state, but
 * keeping them serial keeps the library's callbacks simple to reason about).
 */
export function classicHandlers(module) {
  // The library shaped like 0.103.0's API (compat.mjs): calls below pass the local address,
  // dropped where this version takes none.
  const lib = compat(module);
  const peer = lib.ProtocolAddress.new(PEER_NAME, DEVICE_ID);
  const addresses = [peer, lib.ProtocolAddress.new(LOCAL_NAME, DEVICE_ID)];

  // The library's decrypt loop logs each session state's real reason ("... failed with
  // '<reason>'") before it answers a generic "decryption failed"; kept to name the refusal.
  const logged = [];
  lib.initLogger(lib.LogLevel.Warn, (_level, _target, _file, _line, message) => {
    logged.push(message);
    if (logged.length > 64) logged.shift();
  });

  async function guarded(stores, fn) {
    logged.length = 0;
    try {
      return await fn();
    } catch (err) {
      if (stores?.refusal) throw stores.refusal;
      throw translate(lib, err, logged);
    }
  }

  /** Run fn; a Refusal it throws carries the party as the stores hold it then (protocol 2). */
  async function stateAfter(state, fn) {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof Refusal && err.state === undefined) err.state = dumpParty(state);
      throw err;
    }
  }

  function publicKey(bytes, what) {
    need(bytes instanceof Uint8Array && bytes.length > 0, "InvalidKey", `${what}: empty`);
    try {
      return lib.PublicKey.deserialize(Buffer.from(bytes));
    } catch (err) {
      const refusal = translate(lib, err);
      if (refusal instanceof Refusal) throw new Refusal("InvalidKey", `${what}: ${refusal.message}`);
      throw err;
    }
  }

  async function signalParty(p) {
    const identityPrivate = privateBytes(p.identity_private, "identity_private");
    const signedPrivate = privateBytes(p.signed_prekey_private, "signed_prekey_private");
    need(p.signature_random instanceof Uint8Array && p.signature_random.length === 64, "InvalidInput", "signature_random: 64 bytes expected");
    const registrationId = keyId(p.registration_id, "registration_id");
    const signedId = keyId(p.signed_prekey_id, "signed_prekey_id");
    const preKeyId = keyId(p.prekey_id, "prekey_id");
    const identity = lib.PrivateKey.deserialize(identityPrivate);
    const signed = lib.PrivateKey.deserialize(signedPrivate);
    const checks = [[identity, identityPrivate], [signed, signedPrivate]];
    const state = {
      format: FORMAT,
      registrationId,
      identity: hex(identity.serialize()),
      signedPreKeys: {},
      preKeys: {},
      peerIdentity: null,
      session: null,
    };
    const signedPublic = signed.getPublicKey();
    // XEdDSA with the library's own random nonce: signature_random cannot be used.
    const signature = identity.sign(signedPublic.serialize());
    state.signedPreKeys[String(signedId)] = hex(
      lib.SignedPreKeyRecord.new(signedId, 0, signedPublic, signed, signature).serialize(),
    );
    if (p.prekey_private.length > 0) {
      const preKeyPrivate = privateBytes(p.prekey_private, "prekey_private");
      const pre = lib.PrivateKey.deserialize(preKeyPrivate);
      checks.push([pre, preKeyPrivate]);
      state.preKeys[String(preKeyId)] = hex(lib.PreKeyRecord.new(preKeyId, pre.getPublicKey(), pre).serialize());
    }
    for (const [key, raw] of checks) {
      if (hex(key.getPublicKey().serialize()) !== x25519Public(raw)) {
        throw new Error("the library's public key differs from X25519 of the injected private key");
      }
    }
    return dumpParty(state);
  }

  function signalBundle({ party }) {
    const state = loadParty(party);
    const [signedId, signedHex] = Object.entries(state.signedPreKeys)[0];
    const signed = lib.SignedPreKeyRecord.deserialize(bytesOf(signedHex));
    const pre = Object.entries(state.preKeys)[0];
    const preRecord = pre ? lib.PreKeyRecord.deserialize(bytesOf(pre[1])) : null;
    return {
      registration_id: state.registrationId,
      identity_key: new Uint8Array(lib.PrivateKey.deserialize(bytesOf(state.identity)).getPublicKey().serialize()),
      signed_prekey_id: Number(signedId),
      signed_prekey: new Uint8Array(signed.publicKey().serialize()),
      signed_prekey_signature: new Uint8Array(signed.signature()),
      prekey_id: pre ? Number(pre[0]) : 0,
      prekey: preRecord ? new Uint8Array(preRecord.publicKey().serialize()) : new Uint8Array(0),
    };
  }

  async function signalInitiate(p) {
    const state = loadParty(p.party);
    return stateAfter(state, async () => {
      const hasPreKey = p.prekey.length > 0;
      const bundle = lib.PreKeyBundle.new(
        keyId(p.registration_id, "registration_id"),
        DEVICE_ID,
        hasPreKey ? keyId(p.prekey_id, "prekey_id") : null,
        hasPreKey ? publicKey(p.prekey, "prekey") : null,
        keyId(p.signed_prekey_id, "signed_prekey_id"),
        publicKey(p.signed_prekey, "signed_prekey"),
        Buffer.from(p.signed_prekey_signature),
        publicKey(p.identity_key, "identity_key"),
      );
      const stores = remembered(storesOf(lib, state));
      await guarded(stores, () =>
        lib.processPreKeyBundle(bundle, ...addresses, stores.sessions, stores.identities),
      );
      return dumpParty(state);
    });
  }

  async function signalEncrypt({ party, plaintext }) {
    const state = loadParty(party);
    need(state.session !== null, "InvalidInput", "no session with the peer yet");
    const stores = remembered(storesOf(lib, state));
    const out = await guarded(stores, () =>
      lib.signalEncrypt(Buffer.from(plaintext), ...addresses, stores.sessions, stores.identities),
    );
    const type = out.type();
    return { party: dumpParty(state), type: type === lib.CiphertextMessageType.PreKey ? 3 : 2, message: new Uint8Array(out.serialize()) };
  }

  async function signalDecrypt({ party, type, message }) {
    const state = loadParty(party);
    need(type === 2 || type === 3, "InvalidInput", `message type ${type}: 2 or 3 expected`);
    return stateAfter(state, async () => {
      const stores = remembered(storesOf(lib, state));
      const body = Buffer.from(message);
      const plaintext = await guarded(stores, async () => {
        if (type === 3) {
          const parsed = lib.PreKeySignalMessage.deserialize(body);
          return lib.signalDecryptPreKey(
            parsed,
            ...addresses,
            stores.sessions,
            stores.identities,
            stores.preKeys,
            stores.signedPreKeys,
            stores.kyberPreKeys,
          );
        }
        return lib.signalDecrypt(lib.SignalMessage.deserialize(body), ...addresses, stores.sessions, stores.identities);
      });
      return { party: dumpParty(state), plaintext: new Uint8Array(plaintext) };
    });
  }

  let tail = Promise.resolve();
  const exclusive = (fn) => (params) => {
    const run = tail.then(() => fn(params));
    tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };

  return {
    "signal.signal_party": exclusive(signalParty),
    "signal.signal_bundle": exclusive(signalBundle),
    "signal.signal_initiate": exclusive(signalInitiate),
    "signal.signal_encrypt": exclusive(signalEncrypt),
    "signal.signal_decrypt": exclusive(signalDecrypt),
  };
}

/** The `signal` note each version adapter's describe carries (the manifests say more). */
export const CLASSIC_NOTE =
  "classic X3DH over libsignal-client's own stores: private keys imported (checked against X25519), but the signed-pre-key signature, base key and ratchet keys come from libsignal's RNG, so signal:fixed-randomness is not declared";

// Current Signal on @signalapp/libsignal-client: Signal's official library (Rust, through its
// Node.js bridge and the prebuilt native module inside the npm package). PQXDH with a
// Kyber1024 pre-key, the Double Ratchet beside SPQR, version-4 messages, sealed sender v1 and
// v2, sender keys and safety numbers. The handlers, exported as CURRENT: adapter.mjs here
// serves them for 0.103.0, and each version-matrix entry (adapters/libsignal-client-<version>/)
// gets this file through `[environment] shared` and serves them for its pinned version, the
// library reached through compat.mjs (0.103.0's call shapes on any version).
//
// A party is UTF-8 JSON: the 32-byte identity private key, the registration id, the library's
// serialized SignedPreKeyRecord, PreKeyRecords and KyberPreKeyRecords (each Kyber record with
// its last-resort flag), the one peer's identity key, the serialized SessionRecord and a
// logical clock. Every call rebuilds in-memory stores (subclasses of the library's
// SessionStore, IdentityKeyStore, PreKeyStore, SignedPreKeyStore, KyberPreKeyStore) from it,
// runs the library and serializes what the stores then hold, so nothing survives between calls.
// Stores ignore the address they are asked about: a party has one peer. The addresses handed
// to the library still matter, because it binds them into every message (see "Addresses").
//
// Keys are imported, never generated: EC keys through PrivateKey.deserialize; the Kyber pre-key
// from its 3,168-byte round-3 secret key (the public key is bytes 1536..3104 of it) by building
// the KyberPreKeyRecord protobuf (SignedPreKeyRecordStructure: 1 id, 2 public key, 3 secret key,
// both with the 0x08 type byte, 4 signature, 5 timestamp) and KyberPreKeyRecord.deserialize,
// because the library has no constructor for a KEM key pair from given keys.
//
// Randomness cannot be injected: the pre-key signatures (PrivateKey.sign), base keys, ratchet
// keys, Kyber encapsulation and SPQR all draw from the native library's own RNG.
// Native.TESTING_EnableDeterministicRngForTesting() exists but changes none of them (checked:
// two PrivateKey.generate() and two signatures of one message still differ after it). So
// signature_random, base_key, ratchet_key, kyber_random and pq_random are ignored, and equal
// inputs give equal states only up to those draws. Times the library stores (pre-key record
// timestamps, the pending pre-key's creation time) come from a logical clock, not Date.now().
//
// Protocol 2 (docs/adapter-protocol.md, "State after a refusal"): a refused initiate, decrypt,
// sealed decrypt or group decrypt carries the party as its stores hold it after the attempt.
//
// Library errors: the native module throws LibSignalErrorBase with a `code` (ErrorCode) and
// the Rust SignalProtocolError's Display text as message. DuplicatedMessage, UntrustedIdentity,
// SealedSenderSelfSend, InvalidSenderKeySession and InvalidRegistrationId have codes of their
// own; every other protocol error is ErrorCode.Generic and is told apart by its Display text
// (translate() below). A message no session state decrypts is only "decryption failed": the
// reason per state (a bad MAC, an SPQR error) is in the library's log, which initLogger lets
// the adapter read. A pre-key the store does not hold is an exception of the adapter's store,
// which the library wraps ("error in method call 'loadPreKey'"). Anything else propagates as
// an internal error.
import { packageVersion, Refusal } from "./e2ee-host.mjs";
import { createHash } from "node:crypto";
import { S } from "./compat.mjs";

const LIB = "@signalapp/libsignal-client";
const VERSION = packageVersion(LIB, import.meta.url);

// ======================= version-specific: libsignal-client 0.103.0 =======================
// Everything below this line and above the next marker is what another libsignal-client
// version may need to change; the rest only uses the stable store and cipher API.
const V = {
  KEM_TYPE: 0x08, // Kyber1024 (round 3) in KEMPublicKey/KEMSecretKey serializations
  KYBER_SECRET: 3168, // round-3 secret key: s (1536) || pk (1568) || H(pk) (32) || z (32)
  KYBER_PUBLIC_AT: 1536,
  KYBER_PUBLIC: 1568,
  FINGERPRINT_VERSION: 2, // see the manifest's notes: the displayable number ignores it
  // 0.103.0: the Kyber arguments are mandatory (an EC-only bundle throws a downcast TypeError).
  bundle: (b) =>
    S.PreKeyBundle.new(
      b.registrationId, 1, b.preKeyId, b.preKey, b.signedPreKeyId, b.signedPreKey,
      b.signedPreKeySignature, b.identityKey, b.kyberPreKeyId, b.kyberPreKey, b.kyberPreKeySignature,
    ),
  // The session calls take the local address as well as the remote one (see "Addresses").
  processPreKeyBundle: (bundle, peer, local, st, now) =>
    S.processPreKeyBundle(bundle, peer, local, st.sessions, st.identities, now),
  encrypt: (plaintext, peer, local, st, now) => S.signalEncrypt(plaintext, peer, local, st.sessions, st.identities, now),
  decrypt: (message, peer, local, st) => S.signalDecrypt(message, peer, local, st.sessions, st.identities),
  decryptPreKey: (message, peer, local, st) =>
    S.signalDecryptPreKey(message, peer, local, st.sessions, st.identities, st.preKeys, st.signedPreKeys, st.kyberPreKeys),
  multiRecipientEncrypt: (content, recipients, st) =>
    S.sealedSenderMultiRecipientEncrypt({ content, recipients, identityStore: st.identities, sessionStore: st.sessions }),
  sealedDecrypt: (message, trustRoot, timestamp, local, st) =>
    S.sealedSenderDecryptMessage(
      message, trustRoot, timestamp, null, local.name(), local.deviceId(),
      st.sessions, st.identities, st.preKeys, st.signedPreKeys, st.kyberPreKeys,
    ),
  // The store callbacks this version calls: markKyberPreKeyUsed(kyberId, signedId, baseKey).
};
// ======================= end of version-specific details ==================================

// Addresses. libsignal 0.103.0 binds both addresses into every message: the sender's local
// address and the receiver's remote address (and the other two) must agree, message by
// message, or the MAC fails ("decryption failed"); checked with the library's own stores. So a
// party's address is a function of its identity key, a UUID string (sealed sender v2 encodes
// the recipient as a service id) made from SHA-256 of the 33-byte key, device 1, and each
// side names the other from the peer's identity key (for a PreKeySignalMessage: the identity
// key inside it). Sealed sender is the exception the library makes itself: the sender's local
// address is its certificate's uuid and device, and the receiver's remote address is read
// from the certificate too.
function addressName(identityKey) {
  const h = createHash("sha256").update("e2ee-conformance libsignal-client address").update(identityKey).digest();
  h[6] = (h[6] & 0x0f) | 0x40;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
const addressOf = (identityKey) => S.ProtocolAddress.new(addressName(identityKey), 1);
const GROUP_SENDER = S.ProtocolAddress.new("33333333-3333-4333-8333-333333333333", 1);
const DISTRIBUTION_ID = "44444444-4444-4444-8444-444444444444";
const CLOCK_BASE = Date.UTC(2026, 0, 1); // the logical clock's zero, in milliseconds

const PARTY = "libsignal-client/party/1";
const GROUP = "libsignal-client/group/1";

// --- bytes ---------------------------------------------------------------------------------

const hex = (bytes) => Buffer.from(bytes).toString("hex");
const bytes = (text) => new Uint8Array(Buffer.from(text, "hex"));
const ab = (u8) => new Uint8Array(u8); // a Uint8Array on its own ArrayBuffer, as the bridge wants
const concat = (...parts) => ab(Buffer.concat(parts.map((p) => Buffer.from(p))));

function need(cond, kind, message) {
  if (!cond) throw new Refusal(kind, message);
}

function sized(value, length, what) {
  need(value instanceof Uint8Array && value.length === length, "InvalidInput", `${what}: ${length} bytes expected`);
  return ab(value);
}

function uint32(value, what) {
  need(Number.isInteger(value) && value >= 0 && value <= 0xffffffff, "InvalidInput", `${what}: not a uint32`);
  return value;
}

// --- protobuf (the two records the library cannot build from given keys) --------------------

function varint(n) {
  const out = [];
  let v = BigInt(n);
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return Buffer.from(out);
}
const pbVarint = (field, n) => Buffer.concat([varint(field << 3), varint(n)]);
const pbBytes = (field, data) => Buffer.concat([varint((field << 3) | 2), varint(data.length), Buffer.from(data)]);
function pbFixed64(field, n) {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return Buffer.concat([varint((field << 3) | 1), b]);
}

/** SignedPreKeyRecordStructure {1 id, 2 public_key, 3 private_key, 4 signature, 5 timestamp}. */
function kyberRecord(id, publicKey, secretKey, signature, timestamp) {
  const proto = Buffer.concat([
    pbVarint(1, id),
    pbBytes(2, publicKey),
    pbBytes(3, secretKey),
    pbBytes(4, signature),
    pbFixed64(5, timestamp),
  ]);
  return S.KyberPreKeyRecord.deserialize(ab(proto));
}

/** SenderKeyRecordStructure {1 [SenderKeyStateStructure {5 message_version, 1 chain_id,
 * 2 {1 iteration, 2 seed}, 3 {1 public, 2 private}}]}. */
function senderKeyRecord(chainId, iteration, chainKey, signingPrivate) {
  const state = Buffer.concat([
    pbVarint(1, chainId),
    pbBytes(2, Buffer.concat([pbVarint(1, iteration), pbBytes(2, chainKey)])),
    pbBytes(3, Buffer.concat([pbBytes(1, signingPrivate.getPublicKey().serialize()), pbBytes(2, signingPrivate.serialize())])),
    pbVarint(5, 3),
  ]);
  return S.SenderKeyRecord.deserialize(ab(pbBytes(1, state)));
}

/** The first length-delimited field `field` of a protobuf message the library has parsed. */
function protoField(buf, field) {
  let i = 0;
  const readVarint = () => {
    let n = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (i >= buf.length) throw new Error("protobuf: truncated varint");
      const b = buf[i++];
      n |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return n;
    }
  };
  while (i < buf.length) {
    const key = Number(readVarint());
    const wire = key & 7;
    if (wire === 0) readVarint();
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else if (wire === 2) {
      const len = Number(readVarint());
      if (key >> 3 === field) return buf.subarray(i, i + len);
      i += len;
    } else throw new Error(`protobuf: wire type ${wire}`);
  }
  throw new Error(`protobuf: no field ${field}`);
}

// --- library errors -> neutral kinds -------------------------------------------------------

// The Display texts of rust/protocol/src/error.rs (SignalProtocolError) met here.
const KINDS_BY_TEXT = [
  [/^invalid signature detected/, "InvalidSignature"],
  // Sealed sender: a certificate that does not chain to the trust root or has expired.
  [/^invalid sealed sender message: trust root validation failed/, "InvalidSignature"],
  // Sealed sender: the AEAD layers (v1's message key and contents, v2's inner message).
  [/^invalid sealed sender message: failed to decrypt/, "AuthenticationFailed"],
  [/^untrusted identity/, "InvalidKey"],
  // An all-zero X25519 agreement (a low-order peer key), refused since libsignal's
  // "Validate Diffie-Hellman agreements" (2026-02-10).
  [/^invalid key agreement/, "InvalidKey"],
  [/^invalid (prekey|signed prekey|Kyber prekey) identifier/, "InvalidKey"],
  [/^(no key type identifier|bad key type|bad key length|bad KEM key type|unexpected KEM key type|bad KEM key length)/, "InvalidKey"],
  [/^message with old counter/, "DuplicateMessage"],
  [/^(invalid \w+ message|protobuf encoding was invalid|ciphertext serialized bytes were too short|ciphertext version was (too old|unrecognized)|unrecognized message version|bad KEM ciphertext length)/, "InvalidMessage"],
  [/^(session with .* not found|invalid session|missing sender key state|invalid sender key session)/, "InvalidMessage"],
  [/^(invalid sealed sender message|unknown sealed sender message version|self send of a sealed sender message)/, "InvalidMessage"],
  // Fingerprint_New refuses 0 and 1 iterations (a Generic error of the bridge, not of the protocol).
  [/^Invalid fingerprint iterations/, "InvalidInput"],
];
const KINDS_BY_CODE = {
  [S.ErrorCode.DuplicatedMessage]: "DuplicateMessage",
  [S.ErrorCode.UntrustedIdentity]: "InvalidKey",
  [S.ErrorCode.SealedSenderSelfSend]: "InvalidMessage",
  [S.ErrorCode.InvalidSenderKeySession]: "InvalidMessage",
  [S.ErrorCode.InvalidRegistrationId]: "InvalidKey",
};

// What the library logged during the call (its decrypt loop logs each state's real reason
// before answering a generic "decryption failed").
const logged = [];
S.initLogger(S.LogLevel.Warn, (_level, _target, _file, _line, message) => {
  logged.push(message);
  if (logged.length > 64) logged.shift();
});

function translate(err, ctx = {}) {
  if (err instanceof Refusal) return err;
  if (!(err instanceof S.LibSignalErrorBase)) return err; // TypeError and friends: internal
  const message = err.message;
  const refuse = (kind, why = message) => new Refusal(kind, `${err.operation ?? ""}: ${why}`.replace(/^: /, ""));
  if (ctx.missing) return refuse("InvalidKey", `${ctx.missing} (then: ${message})`);
  if (Object.hasOwn(KINDS_BY_CODE, err.code) && err.code !== S.ErrorCode.Generic) {
    return refuse(KINDS_BY_CODE[err.code]);
  }
  if (/message: decryption failed$/.test(message)) {
    // Every session state refused it; the log says why. A failed MAC is AuthenticationFailed,
    // a counter too far ahead (or any other reason) InvalidMessage.
    const reasons = logged.flatMap((line) => [...line.matchAll(/failed with '([^']*)'/g)].map((m) => m[1]));
    const why = reasons.length ? `${message} (per session state, as logged: ${reasons.join("; ")})` : message;
    if (reasons.some((r) => /too far into the future/.test(r))) return refuse("InvalidMessage", why);
    if (reasons.some((r) => /MAC verification failed/.test(r))) return refuse("AuthenticationFailed", why);
    return refuse("InvalidMessage", why);
  }
  for (const [pattern, kind] of KINDS_BY_TEXT) if (pattern.test(message)) return refuse(kind);
  return err;
}

async function guarded(ctx, fn) {
  logged.length = 0;
  try {
    return await fn();
  } catch (err) {
    // The log callback is delivered to this thread as a task of its own: let any still queued
    // run before translate() reads what was logged.
    await new Promise((resolve) => setImmediate(resolve));
    throw translate(err, ctx);
  }
}

// --- the party and its stores --------------------------------------------------------------

function loadJson(raw, format, what) {
  let state;
  try {
    state = JSON.parse(Buffer.from(raw).toString("utf8"));
  } catch {
    throw new Refusal("InvalidInput", `${what}: not a ${what} of this adapter`);
  }
  need(state && state.format === format, "InvalidInput", `${what}: not a ${what} of this adapter`);
  return state;
}
const loadParty = (raw) => loadJson(raw, PARTY, "party");
const localAddress = (state) => addressOf(S.PrivateKey.deserialize(bytes(state.identity)).getPublicKey().serialize());
// Before any session the peer is unknown: the library is then asked about an address of no
// one (and answers that it has no session with it).
const peerAddress = (state) => addressOf(bytes(state.peerIdentity ?? ""));
const dump = (state) => new Uint8Array(Buffer.from(JSON.stringify(state), "utf8"));

/** The library's time for this call (initiate and encrypt): the logical clock, one second per call. */
function tick(state) {
  state.clock += 1;
  return new Date(CLOCK_BASE + state.clock * 1000);
}

class Sessions extends S.SessionStore {
  constructor(state) {
    super();
    this.state = state;
  }
  async saveSession(_address, record) {
    this.state.session = hex(record.serialize());
  }
  async getSession(_address) {
    return this.state.session === null ? null : S.SessionRecord.deserialize(bytes(this.state.session));
  }
  async getExistingSessions(addresses) {
    return Promise.all(addresses.map(async (a) => {
      const record = await this.getSession(a);
      if (record === null) throw new Error(`no session for ${a}`);
      return record;
    }));
  }
}

class Identities extends S.IdentityKeyStore {
  constructor(state) {
    super();
    this.state = state;
  }
  async getIdentityKey() {
    return S.PrivateKey.deserialize(bytes(this.state.identity));
  }
  async getLocalRegistrationId() {
    return this.state.registrationId;
  }
  // Trust on first use, one peer per party.
  async saveIdentity(_address, key) {
    const changed = this.state.peerIdentity !== null && this.state.peerIdentity !== hex(key.serialize());
    this.state.peerIdentity = hex(key.serialize());
    return changed ? S.IdentityChange.ReplacedExisting : S.IdentityChange.NewOrUnchanged;
  }
  async isTrustedIdentity(_address, key, _direction) {
    return this.state.peerIdentity === null || this.state.peerIdentity === hex(key.serialize());
  }
  async getIdentity(_address) {
    return this.state.peerIdentity === null ? null : S.PublicKey.deserialize(bytes(this.state.peerIdentity));
  }
}

// A pre-key the library asks for and the party does not hold: the store throws, and the
// library wraps that as an application callback error; ctx.missing names the real cause.
class PreKeys extends S.PreKeyStore {
  constructor(state, ctx) {
    super();
    this.state = state;
    this.ctx = ctx;
  }
  async savePreKey(id, record) {
    this.state.preKeys[String(id)] = hex(record.serialize());
  }
  async getPreKey(id) {
    const record = this.state.preKeys[String(id)];
    if (record === undefined) {
      this.ctx.missing = `unknown one-time pre-key ${id}`;
      throw new Error(this.ctx.missing);
    }
    return S.PreKeyRecord.deserialize(bytes(record));
  }
  async removePreKey(id) {
    delete this.state.preKeys[String(id)];
  }
}

class SignedPreKeys extends S.SignedPreKeyStore {
  constructor(state, ctx) {
    super();
    this.state = state;
    this.ctx = ctx;
  }
  async saveSignedPreKey(id, record) {
    this.state.signedPreKeys[String(id)] = hex(record.serialize());
  }
  async getSignedPreKey(id) {
    const record = this.state.signedPreKeys[String(id)];
    if (record === undefined) {
      this.ctx.missing = `unknown signed pre-key ${id}`;
      throw new Error(this.ctx.missing);
    }
    return S.SignedPreKeyRecord.deserialize(bytes(record));
  }
}

// One-time Kyber pre-keys are removed once used; a last-resort one is kept. libsignal leaves
// the replay protection of a last-resort key (the used (kyber id, signed id, base key)
// triples) to the application's store: this adapter does not add one.
class KyberPreKeys extends S.KyberPreKeyStore {
  constructor(state, ctx) {
    super();
    this.state = state;
    this.ctx = ctx;
  }
  async saveKyberPreKey(id, record) {
    this.state.kyberPreKeys[String(id)] = { record: hex(record.serialize()), lastResort: false };
  }
  async getKyberPreKey(id) {
    const entry = this.state.kyberPreKeys[String(id)];
    if (entry === undefined) {
      this.ctx.missing = `unknown Kyber pre-key ${id}`;
      throw new Error(this.ctx.missing);
    }
    return S.KyberPreKeyRecord.deserialize(bytes(entry.record));
  }
  async markKyberPreKeyUsed(id, _signedPreKeyId, _baseKey) {
    const entry = this.state.kyberPreKeys[String(id)];
    if (entry !== undefined && !entry.lastResort) delete this.state.kyberPreKeys[String(id)];
  }
}

function storesOf(state, ctx = {}) {
  return {
    sessions: new Sessions(state),
    identities: new Identities(state),
    preKeys: new PreKeys(state, ctx),
    signedPreKeys: new SignedPreKeys(state, ctx),
    kyberPreKeys: new KyberPreKeys(state, ctx),
  };
}

/** Run fn; a Refusal it throws carries the party as the stores hold it then (protocol 2). */
async function stateAfter(state, fn) {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof Refusal && err.state === undefined) err.state = dump(state);
    throw err;
  }
}

// --- signal-pq -----------------------------------------------------------------------------

function importPrivate(raw, what) {
  return S.PrivateKey.deserialize(sized(raw, 32, what));
}

function signalPqParty(p) {
  const identity = importPrivate(p.identity_private, "identity_private");
  const registrationId = uint32(p.registration_id, "registration_id");
  const signedId = uint32(p.signed_prekey_id, "signed_prekey_id");
  const preKeyId = uint32(p.prekey_id, "prekey_id");
  const kyberId = uint32(p.kyber_prekey_id, "kyber_prekey_id");
  need(typeof p.kyber_last_resort === "boolean", "InvalidInput", "kyber_last_resort: a boolean");
  const state = {
    format: PARTY,
    registrationId,
    identity: hex(identity.serialize()),
    signedPreKeys: {},
    preKeys: {},
    kyberPreKeys: {},
    peerIdentity: null,
    session: null,
    clock: 0,
  };
  const signed = importPrivate(p.signed_prekey_private, "signed_prekey_private");
  const signedPublic = signed.getPublicKey();
  const signedRecord = S.SignedPreKeyRecord.new(signedId, 0, signedPublic, signed, identity.sign(signedPublic.serialize()));
  state.signedPreKeys[String(signedId)] = hex(signedRecord.serialize());
  if (p.prekey_private.length > 0) {
    const pre = importPrivate(p.prekey_private, "prekey_private");
    state.preKeys[String(preKeyId)] = hex(S.PreKeyRecord.new(preKeyId, pre.getPublicKey(), pre).serialize());
  }
  const secret = sized(p.kyber_prekey_secret, V.KYBER_SECRET, "kyber_prekey_secret");
  const kemSecret = concat([V.KEM_TYPE], secret);
  const kemPublic = concat([V.KEM_TYPE], secret.subarray(V.KYBER_PUBLIC_AT, V.KYBER_PUBLIC_AT + V.KYBER_PUBLIC));
  const record = kyberRecord(kyberId, kemPublic, kemSecret, identity.sign(kemPublic), 0);
  state.kyberPreKeys[String(kyberId)] = { record: hex(record.serialize()), lastResort: p.kyber_last_resort };
  return dump(state);
}

function signalPqBundle({ party }) {
  const state = loadParty(party);
  const identity = S.PrivateKey.deserialize(bytes(state.identity));
  const [signedId, signedHex] = Object.entries(state.signedPreKeys)[0];
  const signed = S.SignedPreKeyRecord.deserialize(bytes(signedHex));
  const pre = Object.entries(state.preKeys)[0];
  const kyber = Object.entries(state.kyberPreKeys)[0];
  need(kyber !== undefined, "InvalidInput", "the party has no Kyber pre-key left");
  const kyberRec = S.KyberPreKeyRecord.deserialize(bytes(kyber[1].record));
  return {
    registration_id: state.registrationId,
    identity_key: identity.getPublicKey().serialize(),
    signed_prekey_id: Number(signedId),
    signed_prekey: signed.publicKey().serialize(),
    signed_prekey_signature: signed.signature(),
    prekey_id: pre ? Number(pre[0]) : 0,
    prekey: pre ? S.PreKeyRecord.deserialize(bytes(pre[1])).publicKey().serialize() : new Uint8Array(0),
    kyber_prekey_id: Number(kyber[0]),
    kyber_prekey: kyberRec.publicKey().serialize(),
    kyber_prekey_signature: kyberRec.signature(),
  };
}

async function signalPqInitiate(p) {
  const state = loadParty(p.party);
  return stateAfter(state, async () => {
    const ctx = {};
    const bundle = await guarded(ctx, async () =>
      V.bundle({
        registrationId: uint32(p.registration_id, "registration_id"),
        preKeyId: p.prekey.length > 0 ? uint32(p.prekey_id, "prekey_id") : null,
        preKey: p.prekey.length > 0 ? S.PublicKey.deserialize(ab(p.prekey)) : null,
        signedPreKeyId: uint32(p.signed_prekey_id, "signed_prekey_id"),
        signedPreKey: S.PublicKey.deserialize(ab(p.signed_prekey)),
        signedPreKeySignature: ab(p.signed_prekey_signature),
        identityKey: S.PublicKey.deserialize(ab(p.identity_key)),
        kyberPreKeyId: uint32(p.kyber_prekey_id, "kyber_prekey_id"),
        kyberPreKey: S.KEMPublicKey.deserialize(ab(p.kyber_prekey)),
        kyberPreKeySignature: ab(p.kyber_prekey_signature),
      }),
    );
    const now = tick(state);
    const peer = addressOf(p.identity_key);
    await guarded(ctx, () => V.processPreKeyBundle(bundle, peer, localAddress(state), storesOf(state, ctx), now));
    return dump(state);
  });
}

async function encryptMessage(state, plaintext, local = localAddress(state)) {
  const now = tick(state);
  return guarded({}, () => V.encrypt(ab(plaintext), peerAddress(state), local, storesOf(state), now));
}

async function signalPqEncrypt({ party, plaintext }) {
  const state = loadParty(party);
  const message = await encryptMessage(state, plaintext);
  return { party: dump(state), type: message.type(), message: message.serialize() };
}

async function signalPqDecrypt({ party, type, message }) {
  const state = loadParty(party);
  return stateAfter(state, async () => {
    need(type === 2 || type === 3, "InvalidInput", `message type ${type}: 2 or 3 expected`);
    const ctx = {};
    const s = storesOf(state, ctx);
    const plaintext = await guarded(ctx, async () => {
      if (type === 3) {
        const parsed = S.PreKeySignalMessage.deserialize(ab(message));
        // The sender is named from the identity key inside the message (no getter for it in
        // 0.103.0: read from the protobuf after the version byte, field 3).
        const sender = addressOf(protoField(message.subarray(1), 3));
        return V.decryptPreKey(parsed, sender, localAddress(state), s);
      }
      const parsed = S.SignalMessage.deserialize(ab(message));
      return V.decrypt(parsed, peerAddress(state), localAddress(state), s);
    });
    return { party: dump(state), plaintext };
  });
}

// --- signal-sealed-sender ------------------------------------------------------------------

function uuidString(raw) {
  const h = hex(sized(raw, 16, "sender_uuid"));
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

async function sealedSenderCertificate(p) {
  const trustRoot = importPrivate(p.trust_root_private, "trust_root_private");
  const server = importPrivate(p.server_private, "server_private");
  const keyId = uint32(p.server_key_id, "server_key_id");
  const device = uint32(p.sender_device_id, "sender_device_id");
  need(Number.isSafeInteger(p.expiration) && p.expiration >= 0, "InvalidInput", "expiration: a non-negative integer");
  return guarded({}, () => {
    const serverCert = S.ServerCertificate.new(keyId, server.getPublicKey(), trustRoot);
    const senderKey = S.PublicKey.deserialize(ab(p.sender_identity_key));
    return S.SenderCertificate.new(uuidString(p.sender_uuid), null, device, senderKey, p.expiration, serverCert, server).serialize();
  });
}

async function sealedSenderEncrypt({ party, certificate, plaintext, version }) {
  const state = loadParty(party);
  need(version === 1 || version === 2, "InvalidInput", `sealed sender version ${version}: 1 or 2`);
  const cert = await guarded({}, () => S.SenderCertificate.deserialize(ab(certificate)));
  // The session message first (with the logical clock), then sealed: what
  // sealedSenderEncryptMessage does, minus its reading of the system clock.
  const inner = await encryptMessage(state, plaintext, S.ProtocolAddress.new(cert.senderUuid(), cert.senderDeviceId()));
  const content = S.UnidentifiedSenderMessageContent.new(inner, cert, S.ContentHint.Default, null);
  const st = storesOf(state);
  let sealed;
  if (version === 1) {
    sealed = await guarded({}, () => S.sealedSenderEncrypt(content, peerAddress(state), st.identities));
  } else {
    const sent = await guarded({}, () => V.multiRecipientEncrypt(content, [peerAddress(state)], st));
    sealed = S.sealedSenderMultiRecipientMessageForSingleRecipient(sent);
  }
  return { party: dump(state), type: version, message: sealed };
}

async function sealedSenderDecrypt({ party, message, trust_root, timestamp }) {
  const state = loadParty(party);
  return stateAfter(state, async () => {
    need(Number.isSafeInteger(timestamp) && timestamp >= 0, "InvalidInput", "timestamp: a non-negative integer");
    const ctx = {};
    const s = storesOf(state, ctx);
    const result = await guarded(ctx, async () => {
      const root = S.PublicKey.deserialize(ab(trust_root));
      return V.sealedDecrypt(ab(message), root, timestamp, localAddress(state), s);
    });
    return {
      party: dump(state),
      plaintext: result.message(),
      sender_uuid: bytes(result.senderUuid().replaceAll("-", "")),
      sender_device_id: result.deviceId(),
    };
  });
}

// --- signal-group --------------------------------------------------------------------------

class SenderKeys extends S.SenderKeyStore {
  constructor(state) {
    super();
    this.state = state;
  }
  async saveSenderKey(_sender, _distributionId, record) {
    this.state.record = hex(record.serialize());
  }
  async getSenderKey(_sender, _distributionId) {
    return this.state.record === null ? null : S.SenderKeyRecord.deserialize(bytes(this.state.record));
  }
}

async function signalGroupCreate({ key_id, iteration, chain_key, signing_private }) {
  const chainId = uint32(key_id, "key_id");
  const it = uint32(iteration, "iteration");
  const seed = sized(chain_key, 32, "chain_key");
  const signing = importPrivate(signing_private, "signing_private");
  const state = { format: GROUP, record: null };
  const store = new SenderKeys(state);
  await store.saveSenderKey(GROUP_SENDER, DISTRIBUTION_ID, senderKeyRecord(chainId, it, seed, signing));
  const distribution = await guarded({}, () => S.SenderKeyDistributionMessage.create(GROUP_SENDER, DISTRIBUTION_ID, store));
  return { state: dump(state), distribution: distribution.serialize() };
}

async function signalGroupJoin({ distribution }) {
  const state = { format: GROUP, record: null };
  await guarded({}, async () => {
    const message = S.SenderKeyDistributionMessage.deserialize(ab(distribution));
    await S.processSenderKeyDistributionMessage(GROUP_SENDER, message, new SenderKeys(state));
  });
  return dump(state);
}

async function signalGroupEncrypt({ state: raw, plaintext }) {
  const state = loadJson(raw, GROUP, "group state");
  const message = await guarded({}, () => S.groupEncrypt(GROUP_SENDER, DISTRIBUTION_ID, new SenderKeys(state), ab(plaintext)));
  return { state: dump(state), message: message.serialize() };
}

async function signalGroupDecrypt({ state: raw, message }) {
  const state = loadJson(raw, GROUP, "group state");
  return stateAfter(state, async () => {
    const plaintext = await guarded({}, () => S.groupDecrypt(GROUP_SENDER, new SenderKeys(state), ab(message)));
    return { state: dump(state), plaintext };
  });
}

// --- signal-fingerprint --------------------------------------------------------------------

function signalFingerprint({ iterations, local_id, local_key, remote_id, remote_key }) {
  need(Number.isInteger(iterations) && iterations >= 1, "InvalidInput", `iterations ${iterations}`);
  return guarded({}, () => {
    const fp = S.Fingerprint.new(
      iterations, V.FINGERPRINT_VERSION,
      ab(local_id), S.PublicKey.deserialize(ab(local_key)),
      ab(remote_id), S.PublicKey.deserialize(ab(remote_key)),
    );
    return new TextEncoder().encode(fp.displayableFingerprint().toString());
  });
}

// --- serve ---------------------------------------------------------------------------------

// One call at a time: the log buffer read by translate() is global, and a batch's requests run
// concurrently.
let tail = Promise.resolve();
function exclusive(fn) {
  return (params) => {
    const run = tail.then(() => fn(params));
    tail = run.then(() => undefined, () => undefined);
    return run;
  };
}

const HANDLERS = {
  "signal-pq.signal_pq_party": signalPqParty,
  "signal-pq.signal_pq_bundle": signalPqBundle,
  "signal-pq.signal_pq_initiate": signalPqInitiate,
  "signal-pq.signal_pq_encrypt": signalPqEncrypt,
  "signal-pq.signal_pq_decrypt": signalPqDecrypt,
  "signal-sealed-sender.sealed_sender_certificate": sealedSenderCertificate,
  "signal-sealed-sender.sealed_sender_encrypt": sealedSenderEncrypt,
  "signal-sealed-sender.sealed_sender_decrypt": sealedSenderDecrypt,
  "signal-group.signal_group_create": signalGroupCreate,
  "signal-group.signal_group_join": signalGroupJoin,
  "signal-group.signal_group_encrypt": signalGroupEncrypt,
  "signal-group.signal_group_decrypt": signalGroupDecrypt,
  "signal-fingerprint.signal_fingerprint": signalFingerprint,
};

/** The capabilities, notes and (one call at a time) handlers of current Signal. */
export const CURRENT = Object.freeze({
  library: LIB,
  version: VERSION,
  capabilities: ["signal-pq", "signal-sealed-sender", "signal-group", "signal-fingerprint"],
  notes: {
    "signal-pq":
      "keys imported (identity, signed pre-key, one-time pre-key through PrivateKey.deserialize; the Kyber pre-key through a KyberPreKeyRecord protobuf built from the round-3 secret key); signatures, base keys, ratchet keys, Kyber encapsulation and SPQR use the library's own RNG, so signature_random, base_key, ratchet_key, kyber_random and pq_random are ignored (see the manifest's notes)",
  },
  handlers: Object.fromEntries(Object.entries(HANDLERS).map(([name, fn]) => [name, exclusive(fn)])),
});

/** The handlers whose names start with one of `prefixes` (a capability and a dot). */
export function only(handlers, ...prefixes) {
  return Object.fromEntries(Object.entries(handlers).filter(([name]) => prefixes.some((p) => name.startsWith(p))));
}

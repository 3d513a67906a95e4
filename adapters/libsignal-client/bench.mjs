// In-process cost of the library calls the adapter makes, for comparison with the same calls
// over stdio: `node bench.mjs [N]` in an environment where @signalapp/libsignal-client is
// installed (npm ci here). Minimal stores keep serialized records, as the adapter's do, but
// nothing is turned into JSON or hex. Not used by the suite.
import * as S from "@signalapp/libsignal-client";
import { performance } from "node:perf_hooks";

const N = Number(process.argv[2] ?? 500);

class Sessions extends S.SessionStore {
  record = null;
  async saveSession(_a, r) { this.record = r.serialize(); }
  async getSession() { return this.record && S.SessionRecord.deserialize(this.record); }
  async getExistingSessions(as) { return Promise.all(as.map((a) => this.getSession(a))); }
}
class Identities extends S.IdentityKeyStore {
  peer = null;
  constructor(key, reg) { super(); this.key = key; this.reg = reg; }
  async getIdentityKey() { return this.key; }
  async getLocalRegistrationId() { return this.reg; }
  async saveIdentity(_a, k) { this.peer = k; return S.IdentityChange.NewOrUnchanged; }
  async isTrustedIdentity() { return true; }
  async getIdentity() { return this.peer; }
}
class Records {
  map = new Map();
  constructor(type) { this.type = type; }
  async save(id, r) { this.map.set(id, r.serialize()); }
  async get(id) { return this.type.deserialize(this.map.get(id)); }
}
class PreKeys extends S.PreKeyStore {
  r = new Records(S.PreKeyRecord);
  savePreKey(i, x) { return this.r.save(i, x); }
  getPreKey(i) { return this.r.get(i); }
  async removePreKey(i) { this.r.map.delete(i); }
}
class SignedPreKeys extends S.SignedPreKeyStore {
  r = new Records(S.SignedPreKeyRecord);
  saveSignedPreKey(i, x) { return this.r.save(i, x); }
  getSignedPreKey(i) { return this.r.get(i); }
}
class KyberPreKeys extends S.KyberPreKeyStore {
  r = new Records(S.KyberPreKeyRecord);
  saveKyberPreKey(i, x) { return this.r.save(i, x); }
  getKyberPreKey(i) { return this.r.get(i); }
  async markKyberPreKeyUsed(i) { this.r.map.delete(i); }
}

function device(reg, name) {
  const key = S.PrivateKey.generate();
  return {
    key, address: S.ProtocolAddress.new(name, 1), sessions: new Sessions(), identities: new Identities(key, reg),
    preKeys: new PreKeys(), signedPreKeys: new SignedPreKeys(), kyberPreKeys: new KyberPreKeys(),
  };
}
const encrypt = (from, to, text) => S.signalEncrypt(text, to.address, from.address, from.sessions, from.identities);
function decrypt(to, from, message) {
  const bytes = message.serialize();
  if (message.type() === S.CiphertextMessageType.PreKey) {
    return S.signalDecryptPreKey(S.PreKeySignalMessage.deserialize(bytes), from.address, to.address,
      to.sessions, to.identities, to.preKeys, to.signedPreKeys, to.kyberPreKeys);
  }
  return S.signalDecrypt(S.SignalMessage.deserialize(bytes), from.address, to.address, to.sessions, to.identities);
}

async function time(label, n, fn) {
  const start = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  const ms = (performance.now() - start) / n;
  console.log(`${label.padEnd(44)} ${ms.toFixed(3)} ms`);
}

const alice = device(1, "11111111-1111-4111-8111-111111111111");
const bob = device(2, "22222222-2222-4222-8222-222222222222");
const text = new TextEncoder().encode("a message of about forty bytes, give or take");

/** Bob's pre-keys with id `id` in his stores, and the bundle that publishes them. */
async function bundle(id) {
  const signed = S.PrivateKey.generate();
  const kem = S.KEMKeyPair.generate();
  const signedRecord = S.SignedPreKeyRecord.new(id, 0, signed.getPublicKey(), signed, bob.key.sign(signed.getPublicKey().serialize()));
  const kyberRecord = S.KyberPreKeyRecord.new(id, 0, kem, bob.key.sign(kem.getPublicKey().serialize()));
  await bob.signedPreKeys.saveSignedPreKey(id, signedRecord);
  await bob.kyberPreKeys.saveKyberPreKey(id, kyberRecord);
  return S.PreKeyBundle.new(2, 1, null, null, id, signed.getPublicKey(), signedRecord.signature(),
    bob.key.getPublicKey(), id, kem.getPublicKey(), kyberRecord.signature());
}

await time("Kyber1024 key pair generation", 50, () => S.KEMKeyPair.generate());
const bundles = [];
for (let i = 1; i <= 101; i++) bundles.push(await bundle(i));
await time("processPreKeyBundle (PQXDH, Alice)", 50, (i) =>
  S.processPreKeyBundle(bundles[i], bob.address, alice.address, alice.sessions, alice.identities));
await time("first flight: bundle, encrypt, decryptPreKey", 50, async (i) => {
  bob.sessions.record = null;
  await S.processPreKeyBundle(bundles[50 + i], bob.address, alice.address, alice.sessions, alice.identities);
  await decrypt(bob, alice, await encrypt(alice, bob, text));
});
// A fresh session (without the archived states of the loops above), acknowledged by Bob.
alice.sessions.record = null;
bob.sessions.record = null;
await S.processPreKeyBundle(bundles[100], bob.address, alice.address, alice.sessions, alice.identities);
await decrypt(bob, alice, await encrypt(alice, bob, text));
await decrypt(alice, bob, await encrypt(bob, alice, text));
const queue = [];
await time("signalEncrypt (one direction)", N, async () => queue.push(await encrypt(alice, bob, text)));
await time("signalDecrypt (one direction, in order)", N, async (i) => decrypt(bob, alice, queue[i]));
await time("encrypt + decrypt, alternating directions", N, async (i) => {
  const [from, to] = i % 2 ? [alice, bob] : [bob, alice];
  await decrypt(to, from, await encrypt(from, to, text));
});
console.log(`session record: Alice ${alice.sessions.record.length} B, Bob ${bob.sessions.record.length} B`);

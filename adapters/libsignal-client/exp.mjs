import * as S from "@signalapp/libsignal-client";
class Sess extends S.SessionStore { constructor(){super(); this.m=new Map();} async saveSession(a,r){this.m.set(a.toString(), r.serialize());} async getSession(a){const b=this.m.get(a.toString()); return b?S.SessionRecord.deserialize(b):null;} async getExistingSessions(as){return Promise.all(as.map(a=>this.getSession(a)));} }
class Ids extends S.IdentityKeyStore { constructor(k,r){super(); this.k=k; this.r=r; this.m=new Map();} async getIdentityKey(){return this.k;} async getLocalRegistrationId(){return this.r;} async saveIdentity(a,k){this.m.set(a.toString(),k); return S.IdentityChange.NewOrUnchanged;} async isTrustedIdentity(){return true;} async getIdentity(a){return this.m.get(a.toString())??null;} }
class Pre extends S.PreKeyStore { constructor(){super(); this.m=new Map();} async savePreKey(i,r){this.m.set(i,r);} async getPreKey(i){return this.m.get(i);} async removePreKey(i){this.m.delete(i);} }
class SPre extends S.SignedPreKeyStore { constructor(){super(); this.m=new Map();} async saveSignedPreKey(i,r){this.m.set(i,r);} async getSignedPreKey(i){return this.m.get(i);} }
class KPre extends S.KyberPreKeyStore { constructor(){super(); this.m=new Map();} async saveKyberPreKey(i,r){this.m.set(i,r);} async getKyberPreKey(i){return this.m.get(i);} async markKyberPreKeyUsed(){} }
function dev(reg){ const k=S.PrivateKey.generate(); return {k, reg, s:new Sess(), i:new Ids(k,reg), p:new Pre(), sp:new SPre(), kp:new KPre()}; }
async function run(aLocal, aPeer, bLocal, bPeer) {
  const A=dev(1), B=dev(2);
  const spk=S.PrivateKey.generate(); const kem=S.KEMKeyPair.generate();
  const spkRec=S.SignedPreKeyRecord.new(1,0,spk.getPublicKey(),spk,B.k.sign(spk.getPublicKey().serialize()));
  const kRec=S.KyberPreKeyRecord.new(1,0,kem,B.k.sign(kem.getPublicKey().serialize()));
  await B.sp.saveSignedPreKey(1,spkRec); await B.kp.saveKyberPreKey(1,kRec);
  const bundle=S.PreKeyBundle.new(2,1,null,null,1,spk.getPublicKey(),spkRec.signature(),B.k.getPublicKey(),1,kem.getPublicKey(),kRec.signature());
  const ad=(n)=>S.ProtocolAddress.new(n,1);
  await S.processPreKeyBundle(bundle, ad(aPeer), ad(aLocal), A.s, A.i);
  const m=await S.signalEncrypt(new Uint8Array([1,2,3]), ad(aPeer), ad(aLocal), A.s, A.i);
  try { const pt=await S.signalDecryptPreKey(S.PreKeySignalMessage.deserialize(m.serialize()), ad(bPeer), ad(bLocal), B.s,B.i,B.p,B.sp,B.kp); return "ok "+pt; } catch(e){ return "FAIL "+e.message; }
}
const X="11111111-1111-4111-8111-111111111111", Y="22222222-2222-4222-8222-222222222222", Z="33333333-3333-4333-8333-333333333333";
console.log("consistent", await run(X,Y,Y,X));
console.log("same names both", await run(X,Y,X,Y));
console.log("bob wrong peer", await run(X,Y,Y,Z));
console.log("bob wrong local", await run(X,Y,Z,X));
async function run2(aEst, aEnc, bPeer, bLocal="22222222-2222-4222-8222-222222222222") {
  const A=dev(1), B=dev(2);
  const spk=S.PrivateKey.generate(); const kem=S.KEMKeyPair.generate();
  const spkRec=S.SignedPreKeyRecord.new(1,0,spk.getPublicKey(),spk,B.k.sign(spk.getPublicKey().serialize()));
  const kRec=S.KyberPreKeyRecord.new(1,0,kem,B.k.sign(kem.getPublicKey().serialize()));
  await B.sp.saveSignedPreKey(1,spkRec); await B.kp.saveKyberPreKey(1,kRec);
  const bundle=S.PreKeyBundle.new(2,1,null,null,1,spk.getPublicKey(),spkRec.signature(),B.k.getPublicKey(),1,kem.getPublicKey(),kRec.signature());
  const ad=(n)=>S.ProtocolAddress.new(n,1);
  const Y="22222222-2222-4222-8222-222222222222";
  // sessions keyed by address in this store: keep one key
  A.s.saveSession = async (a,r)=>{A.s.m.set("x", r.serialize());}; A.s.getSession=async()=>{const b=A.s.m.get("x"); return b?S.SessionRecord.deserialize(b):null;};
  B.s.saveSession = async (a,r)=>{B.s.m.set("x", r.serialize());}; B.s.getSession=async()=>{const b=B.s.m.get("x"); return b?S.SessionRecord.deserialize(b):null;};
  await S.processPreKeyBundle(bundle, ad(Y), ad(aEst), A.s, A.i);
  const m=await S.signalEncrypt(new Uint8Array([1,2,3]), ad(Y), ad(aEnc), A.s, A.i);
  try { const pt=await S.signalDecryptPreKey(S.PreKeySignalMessage.deserialize(m.serialize()), ad(bPeer), ad(bLocal), B.s,B.i,B.p,B.sp,B.kp); } catch(e){ return "FAIL1 "+e.message; }
  const r=await S.signalEncrypt(new Uint8Array([4]), ad(bPeer), ad(bLocal), B.s, B.i);
  try { await S.signalDecrypt(S.SignalMessage.deserialize(r.serialize()), ad(Y), ad(aEnc), A.s, A.i); } catch(e){ return "FAIL2 "+e.message; }
  const m2=await S.signalEncrypt(new Uint8Array([5]), ad(Y), ad(Z), A.s, A.i);
  try { await S.signalDecrypt(S.SignalMessage.deserialize(m2.serialize()), ad(Z), ad(bLocal), B.s, B.i); return "ok, and a later change of address by both works"; } catch(e){ return "ok until address change: "+e.message; }
}
console.log("est X enc W, bob W", await run2(X, "55555555-5555-4555-8555-555555555555", "55555555-5555-4555-8555-555555555555"));
console.log("est X enc X, bob X", await run2(X, X, X));

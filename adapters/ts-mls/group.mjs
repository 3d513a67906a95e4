// The group level of the `mls` family (conformance/capabilities/mls_group.py) over ts-mls's
// public client API: generateKeyPackageWithKey (RFC 9420 §10), createGroup (§11), createCommit
// with Add / Remove / no proposals (§12.4), joinGroup from a Welcome (§12.4.3.1),
// createApplicationMessage (§6.3), processPublicMessage / processPrivateMessage (§6, §14),
// mlsExporter (§8.5) and the key schedule's epoch_authenticator (§8.7).
//
// A member is the library's own serialised state, as blobs: a tag, the cipher suite (uint16),
// the KeyPackage, its three private keys and encodeGroupState's bytes (empty before the
// client is in a group). The ClientConfig is not part of encodeGroupState: decoding restores
// defaultClientConfig, the one every step uses.
//
// `random` feeds cs.rng (path secrets, epoch secret, reuse guards) and the key package's init
// and encryption key pairs (cs.hpke.deriveKeyPair on drawn bytes instead of generateKeyPair);
// HPKE encryption ephemerals inside @hpke/core draw their own, so equal inputs do not give
// equal commits or Welcomes.
import { Refusal } from "./e2ee-host.mjs";
import { sha256 } from "@noble/hashes/sha2.js";
import { ed25519 } from "@noble/curves/ed25519.js";
import { ed448 } from "@noble/curves/ed448.js";
import { p256, p384, p521 } from "@noble/curves/nist.js";
import { defaultCapabilities } from "ts-mls/defaultCapabilities.js";
import { greaseValues } from "ts-mls/grease.js";
import { defaultLifetime } from "ts-mls/lifetime.js";
import { defaultClientConfig } from "ts-mls/clientConfig.js";
import { decodeKeyPackage, encodeKeyPackage, generateKeyPackageWithKey } from "ts-mls/keyPackage.js";
import { createGroup, decodeGroupState, encodeGroupState, getGroupMembers, joinGroup, makePskIndex } from "ts-mls/clientState.js";
import { createCommit } from "ts-mls/createCommit.js";
import { createApplicationMessage } from "ts-mls/createMessage.js";
import { processPrivateMessage, processPublicMessage } from "ts-mls/processMessages.js";
import { acceptAll } from "ts-mls/incomingMessageAction.js";
import { decodeMlsMessage, encodeMlsMessage } from "ts-mls/message.js";
import { mlsExporter } from "ts-mls/keySchedule.js";
import { joinBlobs, refusing, splitBlobs } from "./protocol.mjs";

const TAG = new TextEncoder().encode("ts-mls member 1");

// ts-mls's own capabilities, with GREASE values (§13.5) as defaultCapabilities() picks them
// (each of its fifteen values with probability 1/10 per list), but drawn from the step's random
// rather than Math.random: a leaf's length then depends on the seed alone, so what a receiver
// is offered (byte offsets included) is the same in every run.
const BASE = defaultCapabilities();
function capabilities(random) {
  const draw = sha256(Uint8Array.from([...TAG, ...random]));
  let k = 0;
  const pick = () => greaseValues.filter(() => draw[k++ % draw.length] < 26);
  const strip = (list) => list.filter((v) => !greaseValues.includes(Number(v)));
  return {
    versions: BASE.versions,
    ciphersuites: [...strip(BASE.ciphersuites), ...pick().map(String)],
    credentials: [...strip(BASE.credentials), ...pick().map(String)],
    extensions: [...strip(BASE.extensions), ...pick()],
    proposals: [...strip(BASE.proposals), ...pick()],
  };
}

// The signature public key from the private key (ts-mls's signature objects only generate
// pairs): the curve ts-mls signs with for each RFC 9420 §17.1 suite; ECDSA keys uncompressed.
const SIGNERS = {
  1: (k) => ed25519.getPublicKey(k),
  2: (k) => p256.getPublicKey(k, false),
  3: (k) => ed25519.getPublicKey(k),
  4: (k) => ed448.getPublicKey(k),
  5: (k) => p521.getPublicKey(k, false),
  6: (k) => ed448.getPublicKey(k),
  7: (k) => p384.getPublicKey(k, false),
};

// Draws `random` byte for byte, then (if a step wants more) SHA-256(random || counter).
function drawer(random) {
  let at = 0;
  let counter = 0;
  let spare = new Uint8Array(0);
  return (n) => {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      if (at < random.length) {
        const k = Math.min(n - filled, random.length - at);
        out.set(random.subarray(at, at + k), filled);
        at += k;
        filled += k;
      } else {
        if (spare.length === 0) {
          const block = new Uint8Array(random.length + 4);
          block.set(random);
          new DataView(block.buffer).setUint32(random.length, counter++);
          spare = sha256(block);
        }
        const k = Math.min(n - filled, spare.length);
        out.set(spare.subarray(0, k), filled);
        spare = spare.subarray(k);
        filled += k;
      }
    }
    return out;
  };
}

function drawing(cs, random) {
  const draw = drawer(random);
  const hpke = { ...cs.hpke, generateKeyPair: () => cs.hpke.deriveKeyPair(draw(cs.kdf.size)) };
  return { ...cs, rng: { randomBytes: draw }, hpke };
}

function uint16(n) {
  return new Uint8Array([n >> 8, n & 0xff]);
}

function store(m) {
  return joinBlobs([
    TAG, uint16(m.suite), encodeKeyPackage(m.keyPackage), m.keys.initPrivateKey,
    m.keys.hpkePrivateKey, m.keys.signaturePrivateKey,
    m.state === undefined ? new Uint8Array(0) : encodeGroupState(m.state),
  ]);
}

function load(h, blob) {
  const items = splitBlobs(blob);
  if (items.length !== 7 || new TextDecoder().decode(items[0]) !== "ts-mls member 1") {
    throw new Refusal("InvalidInput", "not a ts-mls member");
  }
  const suite = (items[1][0] << 8) | items[1][1];
  const keyPackage = h.decodeAll(decodeKeyPackage, items[2], "member KeyPackage");
  const keys = { initPrivateKey: items[3], hpkePrivateKey: items[4], signaturePrivateKey: items[5] };
  const state = items[6].length === 0
    ? undefined
    : { ...h.decodeAll(decodeGroupState, items[6], "member state"), clientConfig: defaultClientConfig };
  return { suite, keyPackage, keys, state };
}

function inGroup(m) {
  if (m.state === undefined) throw new Refusal("InvalidInput", "the member is in no group");
  return m.state;
}

function message(h, bytes, ...wireformats) {
  const msg = h.decodeAll(decodeMlsMessage, bytes, "MLSMessage");
  if (!wireformats.includes(msg.wireformat)) {
    throw new Refusal("InvalidMessage", `an MLSMessage of ${msg.wireformat}, not ${wireformats.join(" or ")}`);
  }
  return msg;
}

function wireAsPublic(wire_format) {
  if (wire_format === 1) return true;
  if (wire_format === 2) return false;
  throw new Refusal("InvalidInput", `wire_format ${wire_format}: not 1 or 2`);
}

// --- handlers -----------------------------------------------------------------------------

function keyPackage(h) {
  return async ({ cipher_suite, identity, signature_priv, random }) => {
    const cs = drawing(await h.suite(cipher_suite), random);
    const credential = { credentialType: "basic", identity };
    const signatureKeyPair = { signKey: signature_priv, publicKey: SIGNERS[cipher_suite](signature_priv) };
    const { publicPackage, privatePackage } = await generateKeyPackageWithKey(
      credential, capabilities(random), defaultLifetime, [], signatureKeyPair, cs);
    const member = { suite: cipher_suite, keyPackage: publicPackage, keys: privatePackage };
    const key_package = encodeMlsMessage({ version: "mls10", wireformat: "mls_key_package", keyPackage: publicPackage });
    return { member: store(member), key_package };
  };
}

function create(h) {
  return async ({ member, group_id, random }) => {
    const m = load(h, member);
    const cs = drawing(await h.suite(m.suite), random);
    m.state = await createGroup(group_id, m.keyPackage, m.keys, [], cs);
    return store(m);
  };
}

// createCommit with these proposals; the Welcome carries the ratchet_tree extension.
async function commit(h, m, proposals, wire_format, random) {
  const cs = drawing(await h.suite(m.suite), random);
  const res = await createCommit(
    { state: inGroup(m), cipherSuite: cs },
    { wireAsPublicMessage: wireAsPublic(wire_format), extraProposals: proposals, ratchetTreeExtension: true },
  );
  m.state = res.newState;
  const welcome = res.welcome === undefined
    ? new Uint8Array(0)
    : encodeMlsMessage({ version: "mls10", wireformat: "mls_welcome", welcome: res.welcome });
  return { member: store(m), commit: encodeMlsMessage(res.commit), welcome };
}

function add(h) {
  return async ({ member, key_package, wire_format, random }) => {
    const kp = message(h, key_package, "mls_key_package").keyPackage;
    return commit(h, load(h, member), [{ proposalType: "add", add: { keyPackage: kp } }], wire_format, random);
  };
}

function update(h) {
  return async ({ member, wire_format, random }) => commit(h, load(h, member), [], wire_format, random);
}

function remove(h) {
  return async ({ member, leaf_index, wire_format, random }) => {
    const proposal = { proposalType: "remove", remove: { removed: leaf_index } };
    return commit(h, load(h, member), [proposal], wire_format, random);
  };
}

function join(h) {
  return async ({ member, welcome }) => {
    const m = load(h, member);
    if (m.state !== undefined) throw new Refusal("InvalidInput", "the member is already in a group");
    const w = message(h, welcome, "mls_welcome").welcome;
    const cs = await h.suite(m.suite);
    m.state = await joinGroup(w, m.keyPackage, m.keys, makePskIndex(undefined, {}), cs);
    return store(m);
  };
}

function encrypt(h) {
  return async ({ member, plaintext, random }) => {
    const m = load(h, member);
    const cs = drawing(await h.suite(m.suite), random);
    const res = await createApplicationMessage(inGroup(m), plaintext, cs);
    m.state = res.newState;
    const msg = { version: "mls10", wireformat: "mls_private_message", privateMessage: res.privateMessage };
    return { member: store(m), message: encodeMlsMessage(msg) };
  };
}

// A PrivateMessage's content type is known only inside ts-mls: the callback it asks before
// applying a handshake message says whether it was a commit or a proposal (§6.3). A commit
// that removes this member leaves it at its epoch, marked removedFromGroup (§12.4.2).
function processMsg(h) {
  return async ({ member, message: bytes }) => {
    const m = load(h, member);
    const state = inGroup(m);
    const cs = await h.suite(m.suite);
    const msg = message(h, bytes, "mls_public_message", "mls_private_message");
    const index = makePskIndex(state, {});
    let kind;
    const seen = (incoming) => {
      kind = incoming.kind;
      return acceptAll(incoming);
    };
    const res = msg.wireformat === "mls_public_message"
      ? await processPublicMessage(state, msg.publicMessage, index, cs, seen)
      : await processPrivateMessage(state, msg.privateMessage, index, cs, seen);
    m.state = res.newState;
    if (res.kind === "applicationMessage") {
      return { member: store(m), content_type: 1, application_data: res.message };
    }
    return { member: store(m), content_type: kind === "commit" ? 3 : 2, application_data: new Uint8Array(0) };
  };
}

function exportSecret(h) {
  return async ({ member, label, context, length }) => {
    const m = load(h, member);
    const cs = await h.suite(m.suite);
    const text = new TextDecoder("utf-8", { fatal: true });
    let name;
    try {
      name = text.decode(label);
    } catch {
      throw new Refusal("InvalidInput", "label is not UTF-8 (ts-mls takes labels as strings)");
    }
    return mlsExporter(inGroup(m).keySchedule.exporterSecret, name, context, length, cs);
  };
}

function epoch(h) {
  return async ({ member }) => {
    const state = inGroup(load(h, member));
    return {
      epoch: Number(state.groupContext.epoch),
      epoch_authenticator: state.keySchedule.epochAuthenticator,
      tree_hash: state.groupContext.treeHash,
      leaf_index: state.privatePath.leafIndex,
      member_count: getGroupMembers(state).length,
    };
  };
}

/** The mls-group handlers, keyed as serve() wants them. */
export function groupMethods(helpers) {
  const r = (fn) => refusing(fn(helpers), helpers.hpkeRefusal);
  return {
    "mls-group.mls_key_package": r(keyPackage),
    "mls-group.mls_create": r(create),
    "mls-group.mls_add": r(add),
    "mls-group.mls_join": r(join),
    "mls-group.mls_update": r(update),
    "mls-group.mls_remove": r(remove),
    "mls-group.mls_encrypt": r(encrypt),
    "mls-group.mls_process": r(processMsg),
    "mls-group.mls_export": r(exportSecret),
    "mls-group.mls_epoch": r(epoch),
  };
}

export const GROUP_NOTE =
  "createGroup / createCommit / joinGroup / createApplicationMessage / processPublicMessage / " +
  "processPrivateMessage; member = encodeGroupState + key package and private keys; an Add-only " +
  "commit has no UpdatePath (ts-mls sends a path only when RFC 9420 §12.4 requires one)";

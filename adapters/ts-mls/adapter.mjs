// Adapter for ts-mls (TypeScript MLS, RFC 9420): the six crypto-tier capabilities of the `mls`
// family (conformance/capabilities/mls.py), one per MLS working-group vector category, and the
// seven protocol-tier ones (mls_protocol.py), which protocol.mjs serves, and the group level
// (mls_group.py), which group.mjs serves.
//
// ts-mls's public API is a group API; the functions the vectors exercise are its internal
// modules, reached through its own "./*.js" export map (ts-mls/treemath.js, crypto/kdf.js,
// secretTree.js, keySchedule.js, ...). Every value is computed by ts-mls's functions with the
// cipher suite object its default crypto provider builds (getCiphersuiteImpl: WebCrypto for
// hashes and HMAC, @noble for KDF and signatures, @hpke/core for HPKE). Where ts-mls has no single
// function, the adapter composes its functions the way its own code does (see the manifest notes).
//
// Refusals: a signature that does not verify (verify returns false) is InvalidSignature; a
// confirmation tag that does not verify is AuthenticationFailed; ts-mls's CryptoError from HPKE
// (it wraps @hpke/core's error as "<Name>: message") is AuthenticationFailed for OpenError and
// InvalidKey for a key or kem_output that does not parse; a serialised structure ts-mls's
// decoders reject (they return undefined or throw CodecError) is InvalidMessage; an unknown cipher suite is
// Unsupported. Anything else propagates (an internal error, never a pass).
import { packageVersion, Refusal, serve } from "./e2ee-host.mjs";
import { getCiphersuiteImpl } from "ts-mls";
import { getCiphersuiteFromId, getCiphersuiteNameFromId } from "ts-mls/crypto/ciphersuite.js";
import { refhash } from "ts-mls/crypto/hash.js";
import { deriveSecret, deriveTreeSecret, expandWithLabel } from "ts-mls/crypto/kdf.js";
import { signWithLabel, verifyWithLabel } from "ts-mls/crypto/signature.js";
import { decryptWithLabel, encryptWithLabel } from "ts-mls/crypto/hpke.js";
import { CodecError, CryptoError } from "ts-mls/mlsError.js";
import { isLeaf, left, nodeWidth, parent, right, root, sibling } from "ts-mls/treemath.js";
import { expandSenderDataKey, expandSenderDataNonce } from "ts-mls/sender.js";
import { createSecretTree, ratchetToGeneration } from "ts-mls/secretTree.js";
import { decodeGroupContext, encodeGroupContext } from "ts-mls/groupContext.js";
import { decodeExtension } from "ts-mls/extension.js";
import { decodeVarLenType } from "ts-mls/codec/variableLength.js";
import { initializeEpoch, mlsExporter } from "ts-mls/keySchedule.js";
import { updatePskSecret } from "ts-mls/presharedkey.js";
import { decodeAuthenticatedContent } from "ts-mls/authenticatedContent.js";
import { createConfirmedHash, createInterimHash } from "ts-mls/transcriptHash.js";
import { verifyConfirmationTag } from "ts-mls/framedContent.js";
import { PROTOCOL_CAPABILITIES, PROTOCOL_NOTES, protocolMethods } from "./protocol.mjs";
import { GROUP_NOTE, groupMethods } from "./group.mjs";

// The seven RFC 9420 §17.1 suites (ts-mls also offers non-IANA post-quantum suites 77-88,
// which the interface does not name).
const RFC_SUITES = [1, 2, 3, 4, 5, 6, 7];
const impls = new Map();

async function suite(id) {
  if (!RFC_SUITES.includes(id)) throw new Refusal("Unsupported", `cipher suite ${id}`);
  if (!impls.has(id)) impls.set(id, getCiphersuiteImpl(getCiphersuiteFromId(id)));
  return impls.get(id);
}

// Labels arrive as bytes; ts-mls takes them as strings and UTF-8-encodes them itself.
const utf8 = new TextDecoder("utf-8", { fatal: true });
function text(label) {
  try {
    return utf8.decode(label);
  } catch {
    throw new Refusal("InvalidInput", "label is not UTF-8 (ts-mls takes labels as strings)");
  }
}

// ts-mls's CryptoError wraps @hpke/core's error text: "OpenError: ..." for an AEAD failure,
// "DeserializeError"/"DecapError" for a key or kem_output that does not parse or decapsulate.
function hpkeRefusal(err, what) {
  if (!(err instanceof CryptoError)) return err;
  const kind = /OpenError/.test(err.message) ? "AuthenticationFailed" : "InvalidKey";
  return new Refusal(kind, `${what}: ${err.message}`);
}

// ts-mls's KDF is @hpke/core's HKDF, which refuses an output longer than 255 * Nh (RFC 5869
// §2.3) with a plain Error("Entropy limit reached"); that deliberate check is InvalidInput.
async function hkdfLength(fn) {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof Error && err.message === "Entropy limit reached") {
      throw new Refusal("InvalidInput", `length above 255 * Nh: ${err.message}`);
    }
    throw err;
  }
}

// A decoder that does not accept its input (undefined) or leaves bytes over.
function decodeAll(decoder, bytes, what) {
  let res;
  try {
    res = decoder(bytes, 0);
  } catch (err) {
    // ts-mls's own error for a length prefix that runs past the end ("Data length exceeds
    // buffer") and the like.
    if (err instanceof CodecError) throw new Refusal("InvalidMessage", `${what}: ${err.message}`);
    throw err;
  }
  if (res === undefined) throw new Refusal("InvalidMessage", `${what}: ts-mls cannot decode it`);
  if (res[1] !== bytes.length) {
    throw new Refusal("InvalidMessage", `${what}: ${bytes.length - res[1]} bytes left over`);
  }
  return res[0];
}

// --- mls-tree-math ----------------------------------------------------------------------

function treeMath({ n_leaves: n, node: x }) {
  // ts-mls throws InternalError for a leaf's children and the root's parent/sibling: the
  // interface's -1 is decided here with ts-mls's own isLeaf and root.
  const r = root(n);
  return {
    n_nodes: nodeWidth(n),
    root: r,
    left: isLeaf(x) ? -1 : left(x),
    right: isLeaf(x) ? -1 : right(x),
    parent: x === r ? -1 : parent(x, n),
    sibling: x === r ? -1 : sibling(x, n),
  };
}

// --- mls-crypto-basics ------------------------------------------------------------------

async function refHash({ cipher_suite, label, value }) {
  const cs = await suite(cipher_suite);
  // RefHash takes its label whole (§5.2: callers pass "MLS 1.0 KeyPackage Reference"), and so
  // does ts-mls's refhash; the working group's vector ("RefHash") has no prefix either.
  return refhash(text(label), value, cs.hash);
}

async function expand({ cipher_suite, secret, label, context, length }) {
  const cs = await suite(cipher_suite);
  return hkdfLength(() => expandWithLabel(secret, text(label), context, length, cs.kdf));
}

async function derive({ cipher_suite, secret, label }) {
  const cs = await suite(cipher_suite);
  return deriveSecret(secret, text(label), cs.kdf);
}

async function deriveTree({ cipher_suite, secret, label, generation, length }) {
  const cs = await suite(cipher_suite);
  return hkdfLength(() => deriveTreeSecret(secret, text(label), generation, length, cs.kdf));
}

async function sign({ cipher_suite, private_key, label, content }) {
  const cs = await suite(cipher_suite);
  return signWithLabel(private_key, text(label), content, cs.signature);
}

async function verify({ cipher_suite, public_key, label, content, signature }) {
  const cs = await suite(cipher_suite);
  const ok = await verifyWithLabel(public_key, text(label), content, signature, cs.signature);
  if (!ok) throw new Refusal("InvalidSignature", "VerifyWithLabel returned false");
  return null;
}

async function encrypt({ cipher_suite, public_key, label, context, plaintext }) {
  const cs = await suite(cipher_suite);
  let pk;
  try {
    pk = await cs.hpke.importPublicKey(public_key);
  } catch (err) {
    throw err instanceof CryptoError ? new Refusal("InvalidKey", err.message) : err;
  }
  const { enc, ct } = await encryptWithLabel(pk, text(label), context, plaintext, cs.hpke);
  return { kem_output: enc, ciphertext: ct };
}

async function decrypt({ cipher_suite, private_key, label, context, kem_output, ciphertext }) {
  const cs = await suite(cipher_suite);
  let sk;
  try {
    sk = await cs.hpke.importPrivateKey(private_key);
  } catch (err) {
    throw err instanceof CryptoError ? new Refusal("InvalidKey", err.message) : err;
  }
  try {
    return await decryptWithLabel(sk, text(label), context, kem_output, ciphertext, cs.hpke);
  } catch (err) {
    throw hpkeRefusal(err, "DecryptWithLabel");
  }
}

// --- mls-secret-tree --------------------------------------------------------------------

async function senderDataKeys({ cipher_suite, sender_data_secret, ciphertext }) {
  const cs = await suite(cipher_suite);
  return {
    key: await expandSenderDataKey(cs, sender_data_secret, ciphertext),
    nonce: await expandSenderDataNonce(cs, sender_data_secret, ciphertext),
  };
}

async function leafKeys({ cipher_suite, encryption_secret, n_leaves, leaf, generation }) {
  const cs = await suite(cipher_suite);
  // ts-mls's receive path: the whole secret tree from the encryption secret, then the leaf's
  // ratchet moved to the generation. A zero reuse guard leaves the nonce as derived (§6.3.1
  // XORs the guard in). The default config refuses more than 200 forward steps; the vectors
  // go further, so the limit is raised to the generation asked for.
  const tree = await createSecretTree(n_leaves, encryption_secret, cs.kdf);
  const config = { retainKeysForGenerations: 1, retainKeysForEpochs: 1, maximumForwardRatchetSteps: generation + 1 };
  const senderData = { leafIndex: leaf, generation, reuseGuard: new Uint8Array(4) };
  const hs = await ratchetToGeneration(tree, senderData, "commit", config, cs);
  const app = await ratchetToGeneration(tree, senderData, "application", config, cs);
  return {
    handshake_key: hs.key,
    handshake_nonce: hs.nonce,
    application_key: app.key,
    application_nonce: app.nonce,
  };
}

// --- mls-key-schedule -------------------------------------------------------------------

async function groupContext({ cipher_suite, group_id, epoch, tree_hash, confirmed_transcript_hash, extensions }) {
  await suite(cipher_suite);
  return encodeGroupContext({
    version: "mls10",
    cipherSuite: getCiphersuiteNameFromId(cipher_suite),
    groupId: group_id,
    epoch: BigInt(epoch),
    treeHash: tree_hash,
    confirmedTranscriptHash: confirmed_transcript_hash,
    extensions: decodeAll(decodeVarLenType(decodeExtension), extensions, "extensions"),
  });
}

async function keySchedule({ cipher_suite, init_secret, commit_secret, psk_secret, group_context }) {
  const cs = await suite(cipher_suite);
  // ts-mls takes the GroupContext as its decoded object and re-encodes it inside
  // extractJoinerSecret / extractEpochSecret; a context that does not round-trip would be
  // hashed differently, so that is checked (an internal error if it ever happens).
  const ctx = decodeAll(decodeGroupContext, group_context, "group_context");
  const again = encodeGroupContext(ctx);
  if (Buffer.compare(Buffer.from(again), Buffer.from(group_context)) !== 0) {
    throw new Error("ts-mls does not re-encode this GroupContext byte for byte");
  }
  const epoch = await initializeEpoch(init_secret, commit_secret, ctx, psk_secret, cs.kdf);
  const ks = epoch.keySchedule;
  // external_pub as createGroupInfoWithExternalPub computes it.
  const external = await cs.hpke.deriveKeyPair(ks.externalSecret);
  return {
    joiner_secret: epoch.joinerSecret,
    welcome_secret: epoch.welcomeSecret,
    init_secret: ks.initSecret,
    sender_data_secret: ks.senderDataSecret,
    encryption_secret: epoch.encryptionSecret,
    exporter_secret: ks.exporterSecret,
    epoch_authenticator: ks.epochAuthenticator,
    external_secret: ks.externalSecret,
    confirmation_key: ks.confirmationKey,
    membership_key: ks.membershipKey,
    resumption_psk: ks.resumptionPsk,
    external_pub: await cs.hpke.exportPublicKey(external.publicKey),
  };
}

async function exporter({ cipher_suite, exporter_secret, label, context, length }) {
  const cs = await suite(cipher_suite);
  return hkdfLength(() => mlsExporter(exporter_secret, text(label), context, length, cs));
}

// --- mls-psk-secret ---------------------------------------------------------------------

async function pskStep({ cipher_suite, previous, psk_id, psk, psk_nonce, index, count }) {
  const cs = await suite(cipher_suite);
  const id = { psktype: "external", pskId: psk_id, pskNonce: psk_nonce };
  return updatePskSecret(previous, id, psk, index, count, cs);
}

// --- mls-transcript-hashes --------------------------------------------------------------

async function transcriptHashes({ cipher_suite, confirmation_key, authenticated_content, interim_transcript_hash_before }) {
  const cs = await suite(cipher_suite);
  const ac = decodeAll(decodeAuthenticatedContent, authenticated_content, "AuthenticatedContent");
  if (ac.content.contentType !== "commit") {
    throw new Refusal("InvalidMessage", `AuthenticatedContent holds a ${ac.content.contentType}, not a commit`);
  }
  // As processMessages.js and nextEpochContext do it: confirmed hash from the interim one,
  // the confirmation tag checked against it, then the next interim hash.
  const { wireformat, content, auth } = ac;
  const confirmed = await createConfirmedHash(
    interim_transcript_hash_before,
    { wireformat, content, signature: auth.signature },
    cs.hash,
  );
  if (!(await verifyConfirmationTag(confirmation_key, auth.confirmationTag, confirmed, cs.hash))) {
    throw new Refusal("AuthenticationFailed", "confirmation tag does not verify");
  }
  return {
    confirmed_transcript_hash: confirmed,
    interim_transcript_hash: await createInterimHash(confirmed, auth.confirmationTag, cs.hash),
  };
}

const versions = ["ts-mls", "@hpke/core", "@noble/curves", "@noble/hashes", "@noble/ciphers"]
  .map((name) => `${name} ${packageVersion(name, import.meta.url)}`)
  .join(", ");

serve(
  {
    name: "ts-mls",
    implementation: "ts-mls (TypeScript MLS, default crypto provider)",
    version: `${versions}, node ${process.versions.node}`,
    capabilities: [
      "mls-tree-math",
      "mls-crypto-basics",
      "mls-secret-tree",
      "mls-key-schedule",
      "mls-psk-secret",
      "mls-transcript-hashes",
      ...PROTOCOL_CAPABILITIES,
      "mls-group",
    ],
    notes: {
      "mls-tree-math": "treemath.js; -1 decided with isLeaf and root (ts-mls throws there)",
      "mls-crypto-basics": "crypto/*.js with the default provider; RefHash label taken whole",
      "mls-secret-tree": "leaf keys composed: createSecretTree, then ratchetToGeneration (zero reuse guard)",
      "mls-key-schedule":
        "initializeEpoch on the decoded GroupContext (checked to re-encode byte for byte); " +
        "external_pub composed as createGroupInfoWithExternalPub does it",
      "mls-psk-secret": "updatePskSecret, external PSK",
      "mls-transcript-hashes": "composed as processMessages.js: confirmed hash, tag check, interim hash",
      ...PROTOCOL_NOTES,
      "mls-group": GROUP_NOTE,
    },
  },
  {
    "mls-tree-math.mls_tree_math": treeMath,
    "mls-crypto-basics.mls_ref_hash": refHash,
    "mls-crypto-basics.mls_expand_with_label": expand,
    "mls-crypto-basics.mls_derive_secret": derive,
    "mls-crypto-basics.mls_derive_tree_secret": deriveTree,
    "mls-crypto-basics.mls_sign_with_label": sign,
    "mls-crypto-basics.mls_verify_with_label": verify,
    "mls-crypto-basics.mls_encrypt_with_label": encrypt,
    "mls-crypto-basics.mls_decrypt_with_label": decrypt,
    "mls-secret-tree.mls_sender_data_keys": senderDataKeys,
    "mls-secret-tree.mls_leaf_keys": leafKeys,
    "mls-key-schedule.mls_group_context": groupContext,
    "mls-key-schedule.mls_key_schedule": keySchedule,
    "mls-key-schedule.mls_export": exporter,
    "mls-psk-secret.mls_psk_secret_step": pskStep,
    "mls-transcript-hashes.mls_transcript_hashes": transcriptHashes,
    ...protocolMethods({ suite, decodeAll, hpkeRefusal }),
    ...groupMethods({ suite, decodeAll, hpkeRefusal }),
  },
);

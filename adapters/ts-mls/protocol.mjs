// The protocol tier of the `mls` family (conformance/capabilities/mls_protocol.py) over ts-mls's
// internal modules: structure codecs (RFC 9420 §2.1, §6-§12), PublicMessage / PrivateMessage
// protection (§6.2, §6.3), Welcome processing (§12.4.3.1), ratchet-tree hashes, resolutions and
// validity (§4.1.1, §7.8, §7.9), proposals applied to the tree (§12.1.1-§12.1.3), TreeKEM
// (§7.4-§7.6) and a passive client (joinGroup, then processMessage per message).
//
// adapter.mjs imports protocolMethods() and passes it its own helpers (suite, decodeAll,
// hpkeRefusal), so both tiers refuse alike. Each handler composes ts-mls functions the way
// ts-mls's own callers do (named beside each); nothing is recomputed here.
//
// Refusals of ts-mls's own errors (mlsError.js): CodecError is InvalidMessage; a
// CryptoVerificationError is InvalidSignature when a signature failed and AuthenticationFailed
// when a MAC did (membership tag, confirmation tag); ValidationError and UsageError are what
// RFC 9420 forbids: InvalidMessage (conformance/capabilities/mls_protocol.py). A CryptoError wrapping an AEAD that does not open (WebCrypto's
// OperationError for AES-GCM, @noble's "invalid tag" for ChaCha20Poly1305) is
// AuthenticationFailed, other CryptoErrors go to adapter.mjs's hpkeRefusal. InternalError and
// anything else propagate as internal errors.
import { Refusal } from "./e2ee-host.mjs";
import { getCiphersuiteNameFromId } from "ts-mls/crypto/ciphersuite.js";
import { CodecError, CryptoError, CryptoVerificationError, InternalError, UsageError, ValidationError } from "ts-mls/mlsError.js";
import { decodeMlsMessage, encodeMlsMessage } from "ts-mls/message.js";
import {
  decodeAdd, decodeExternalInit, decodeGroupContextExtensions, decodePSK, decodeProposal, decodeReinit,
  decodeRemove, decodeUpdate, encodeAdd, encodeExternalInit, encodeGroupContextExtensions, encodePSK,
  encodeProposal, encodeReinit, encodeRemove, encodeUpdate,
} from "ts-mls/proposal.js";
import { decodeCommit, encodeCommit } from "ts-mls/commit.js";
import {
  addLeafNode, decodeRatchetTree, encodeRatchetTree, removeLeafNode, resolution, updateLeafNode,
} from "ts-mls/ratchetTree.js";
import { decodeGroupSecrets, encodeGroupSecrets } from "ts-mls/groupSecrets.js";
import { applyUpdatePath, createUpdatePath, decodeUpdatePath, encodeUpdatePath } from "ts-mls/updatePath.js";
import { decodeLeafNode, encodeLeafNode, verifyLeafNodeSignature, verifyLeafNodeSignatureKeyPackage } from "ts-mls/leafNode.js";
import { decodeKeyPackage, encodeKeyPackage, makeKeyPackageRef } from "ts-mls/keyPackage.js";
import { decodeGroupInfo, encodeGroupInfo, verifyGroupInfoConfirmationTag, verifyGroupInfoSignature } from "ts-mls/groupInfo.js";
import { decodeWelcome, decryptGroupInfo, decryptGroupSecrets, encodeWelcome } from "ts-mls/welcome.js";
import { encodeGroupContext } from "ts-mls/groupContext.js";
import { deriveKeySchedule } from "ts-mls/keySchedule.js";
import { createSecretTree } from "ts-mls/secretTree.js";
import { protect, protectApplicationData, protectProposal, unprotectPrivateMessage } from "ts-mls/messageProtection.js";
import { protectProposalPublic, protectPublicMessage, unprotectPublicMessage } from "ts-mls/messageProtectionPublic.js";
import { createConfirmationTag, createContentCommitSignature } from "ts-mls/framedContent.js";
import { defaultPaddingConfig } from "ts-mls/paddingConfig.js";
import { defaultKeyRetentionConfig } from "ts-mls/keyRetentionConfig.js";
import { treeHash, treeHashRoot } from "ts-mls/treeHash.js";
import { verifyParentHashes } from "ts-mls/parentHash.js";
import { isLeaf, leafToNodeIndex, nodeToLeafIndex, toLeafIndex } from "ts-mls/treemath.js";
import { applyUpdatePathSecret } from "ts-mls/createCommit.js";
import { getCommitSecret } from "ts-mls/pathSecrets.js";
import { mergePrivateKeyPaths, toPrivateKeyPath } from "ts-mls/privateKeyPath.js";
import { joinGroup, makePskIndex } from "ts-mls/clientState.js";
import { processPrivateMessage, processPublicMessage } from "ts-mls/processMessages.js";
import { acceptAll } from "ts-mls/incomingMessageAction.js";
import { bytesToBase64 } from "ts-mls/util/byteArray.js";

/** What RFC 9420 forbids that is none of the narrower kinds. */
const PROTOCOL = "InvalidMessage";

// --- blobs (uint32 big-endian length before each item) -----------------------------------

export function splitBlobs(blob) {
  const items = [];
  let at = 0;
  while (at < blob.length) {
    if (at + 4 > blob.length) throw new Refusal("InvalidInput", `a blob ends inside a length at byte ${at}`);
    const n = new DataView(blob.buffer, blob.byteOffset + at, 4).getUint32(0);
    at += 4;
    if (at + n > blob.length) throw new Refusal("InvalidInput", `a blob item of ${n} bytes runs past the end`);
    items.push(blob.subarray(at, at + n));
    at += n;
  }
  return items;
}

export function joinBlobs(items) {
  const out = new Uint8Array(items.reduce((n, item) => n + 4 + item.length, 0));
  let at = 0;
  for (const item of items) {
    new DataView(out.buffer).setUint32(at, item.length);
    out.set(item, at + 4);
    at += 4 + item.length;
  }
  return out;
}

function uint32(bytes, what) {
  if (bytes.length < 4) throw new Refusal("InvalidInput", `${what}: shorter than a uint32`);
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
}

// --- ts-mls errors as refusals -----------------------------------------------------------

function refusalOf(err, hpkeRefusal) {
  if (err instanceof Refusal) return err;
  if (err instanceof CodecError) return new Refusal("InvalidMessage", err.message);
  if (err instanceof CryptoVerificationError) {
    const kind = /signature/i.test(err.message) ? "InvalidSignature" : "AuthenticationFailed";
    return new Refusal(kind, err.message);
  }
  if (err instanceof ValidationError || err instanceof UsageError) return new Refusal(PROTOCOL, err.message);
  // cs.hpke.decryptAead wraps the AEAD's own failure in a CryptoError: WebCrypto's
  // OperationError (AES-GCM) or @noble's "invalid tag" (ChaCha20Poly1305).
  if (err instanceof CryptoError && /OperationError|invalid tag/.test(err.message)) {
    return new Refusal("AuthenticationFailed", `AEAD: ${err.message}`);
  }
  if (err instanceof CryptoError) return hpkeRefusal(err, "HPKE");
  // @hpke/core's DHKEM refuses an all-zero shared secret (RFC 9180 §7.1.4): a low-order key.
  if (err instanceof Error && (err.name === "EncapError" || err.name === "DecapError")) {
    return new Refusal("InvalidKey", `HPKE ${err.name}: ${err.message}`);
  }
  return err;
}

export function refusing(fn, hpkeRefusal) {
  return async (params) => {
    try {
      return await fn(params);
    } catch (err) {
      throw refusalOf(err, hpkeRefusal);
    }
  };
}

// --- shared pieces ------------------------------------------------------------------------

function groupContextOf(cipher_suite, group_id, epoch, tree_hash, confirmed_transcript_hash) {
  return {
    version: "mls10",
    cipherSuite: getCiphersuiteNameFromId(cipher_suite),
    groupId: group_id,
    epoch: BigInt(epoch),
    treeHash: tree_hash,
    confirmedTranscriptHash: confirmed_transcript_hash,
    extensions: [],
  };
}

function mlsMessage(decodeAll, bytes, wireformat) {
  const msg = decodeAll(decodeMlsMessage, bytes, "MLSMessage");
  if (wireformat !== undefined && msg.wireformat !== wireformat) {
    throw new Refusal("InvalidMessage", `an MLSMessage of ${msg.wireformat}, not ${wireformat}`);
  }
  return msg;
}

// decodeRatchetTree extends the tree to a full one with extendRatchetTree, which throws an
// InternalError when the last node is blank (the receiver's check of §12.4.3.3).
function ratchetTree(decodeAll, bytes) {
  try {
    return decodeAll(decodeRatchetTree, bytes, "ratchet_tree");
  } catch (err) {
    if (err instanceof InternalError) throw new Refusal("InvalidMessage", `ratchet_tree: ${err.message}`);
    throw err;
  }
}

function contentOf(content) {
  switch (content.contentType) {
    case "application":
      return { content_type: 1, content: content.applicationData };
    case "proposal":
      return { content_type: 2, content: encodeProposal(content.proposal) };
    case "commit":
      return { content_type: 3, content: encodeCommit(content.commit) };
  }
  throw new Error(`unknown content type ${content.contentType}`);
}

// --- mls-messages -------------------------------------------------------------------------

const CODECS = {
  MLSMessage: [decodeMlsMessage, encodeMlsMessage],
  RatchetTree: [decodeRatchetTree, encodeRatchetTree],
  GroupSecrets: [decodeGroupSecrets, encodeGroupSecrets],
  Add: [decodeAdd, encodeAdd],
  Update: [decodeUpdate, encodeUpdate],
  Remove: [decodeRemove, encodeRemove],
  PreSharedKey: [decodePSK, encodePSK],
  ReInit: [decodeReinit, encodeReinit],
  ExternalInit: [decodeExternalInit, encodeExternalInit],
  GroupContextExtensions: [decodeGroupContextExtensions, encodeGroupContextExtensions],
  Proposal: [decodeProposal, encodeProposal],
  Commit: [decodeCommit, encodeCommit],
  UpdatePath: [decodeUpdatePath, encodeUpdatePath],
  LeafNode: [decodeLeafNode, encodeLeafNode],
  KeyPackage: [decodeKeyPackage, encodeKeyPackage],
  GroupInfo: [decodeGroupInfo, encodeGroupInfo],
  Welcome: [decodeWelcome, encodeWelcome],
};

function decodeEncode(h) {
  return async ({ structure, data }) => {
    const name = new TextDecoder().decode(structure);
    if (!Object.hasOwn(CODECS, name)) throw new Refusal("Unsupported", `structure ${name}`);
    const [decoder, encoder] = CODECS[name];
    const value = name === "RatchetTree" ? ratchetTree(h.decodeAll, data) : h.decodeAll(decoder, data, name);
    return encoder(value);
  };
}

// --- mls-message-protection ---------------------------------------------------------------

// The two-member tree as far as ts-mls reads it here: a member's signature key. Leaf 1 holds
// signature_pub. The receiver's own key (leaf 0) is not given, so leaf 0 stays blank: a message
// naming it as sender meets ts-mls's refusal of a sender without a leaf node (ValidationError).
function twoMemberTree(signaturePub) {
  return [undefined, undefined, { nodeType: "leaf", leaf: { signaturePublicKey: signaturePub } }];
}

function protectMessage(h) {
  return async (p) => {
    const cs = await h.suite(p.cipher_suite);
    const gc = groupContextOf(p.cipher_suite, p.group_id, p.epoch, p.tree_hash, p.confirmed_transcript_hash);
    const secretTree = await createSecretTree(2, p.encryption_secret, cs.kdf);
    const none = new Uint8Array();
    const sender = { senderType: "member", leafIndex: 1 };
    if (![1, 2].includes(p.wire_format)) throw new Refusal("InvalidInput", `wire_format ${p.wire_format}`);
    const wire = p.wire_format === 1 ? "mls_public_message" : "mls_private_message";
    if (p.content_type === 1) {
      if (wire === "mls_public_message") {
        // ts-mls's own refusal: protectPublicMessage throws UsageError for application data.
        const content = { contentType: "application", applicationData: p.content, groupId: p.group_id, epoch: gc.epoch, sender, authenticatedData: none };
        await protectPublicMessage(p.membership_key, gc, { wireformat: wire, content, auth: { contentType: "application", signature: none } }, cs);
        throw new Error("protectPublicMessage accepted application content");
      }
      const res = await protectApplicationData(p.signature_priv, p.sender_data_secret, p.content, none, gc, secretTree, 1, defaultPaddingConfig, cs);
      return encodeMlsMessage({ version: "mls10", wireformat: wire, privateMessage: res.privateMessage });
    }
    if (p.content_type === 2) {
      const proposal = h.decodeAll(decodeProposal, p.content, "Proposal");
      if (wire === "mls_public_message") {
        const res = await protectProposalPublic(p.signature_priv, p.membership_key, gc, none, proposal, 1, cs);
        return encodeMlsMessage({ version: "mls10", wireformat: wire, publicMessage: res.publicMessage });
      }
      const res = await protectProposal(p.signature_priv, p.sender_data_secret, proposal, none, gc, secretTree, 1, defaultPaddingConfig, cs);
      return encodeMlsMessage({ version: "mls10", wireformat: wire, privateMessage: res.privateMessage });
    }
    if (p.content_type === 3) {
      // As createCommit.js: createContentCommitSignature, a confirmation tag (here under a fresh
      // random confirmation key over the given confirmed transcript hash: no next epoch exists),
      // then protectPublicMessage or protect.
      const commit = h.decodeAll(decodeCommit, p.content, "Commit");
      const { signature, framedContent } = await createContentCommitSignature(gc, wire, commit, sender, none, p.signature_priv, cs.signature);
      const confirmationKey = cs.rng.randomBytes(cs.kdf.size);
      const confirmationTag = await createConfirmationTag(confirmationKey, p.confirmed_transcript_hash, cs.hash);
      const auth = { contentType: "commit", signature, confirmationTag };
      if (wire === "mls_public_message") {
        const msg = await protectPublicMessage(p.membership_key, gc, { wireformat: wire, content: framedContent, auth }, cs);
        return encodeMlsMessage({ version: "mls10", wireformat: wire, publicMessage: msg });
      }
      const res = await protect(p.sender_data_secret, none, gc, secretTree, { ...framedContent, auth }, 1, defaultPaddingConfig, cs);
      return encodeMlsMessage({ version: "mls10", wireformat: wire, privateMessage: res.privateMessage });
    }
    throw new Refusal("InvalidInput", `content_type ${p.content_type}`);
  };
}

function unprotectMessages(h) {
  return async (p) => {
    const cs = await h.suite(p.cipher_suite);
    const gc = groupContextOf(p.cipher_suite, p.group_id, p.epoch, p.tree_hash, p.confirmed_transcript_hash);
    const tree = twoMemberTree(p.signature_pub);
    let secretTree = await createSecretTree(2, p.encryption_secret, cs.kdf);
    const messages = splitBlobs(p.messages);
    if (messages.length === 0) throw new Refusal("InvalidInput", "no messages");
    let last;
    for (const bytes of messages) {
      const msg = mlsMessage(h.decodeAll, bytes);
      // processPublicMessage / processPrivateMessage's epoch check, then their unprotect call.
      if (msg.wireformat === "mls_public_message") {
        if (msg.publicMessage.content.epoch < gc.epoch) throw new Refusal(PROTOCOL, "Cannot process message, epoch too old");
        last = (await unprotectPublicMessage(p.membership_key, gc, tree, msg.publicMessage, cs)).content;
      } else if (msg.wireformat === "mls_private_message") {
        if (msg.privateMessage.epoch < gc.epoch) throw new Refusal(PROTOCOL, "Cannot process message, epoch too old");
        const res = await unprotectPrivateMessage(p.sender_data_secret, msg.privateMessage, secretTree, tree, gc, defaultKeyRetentionConfig, cs);
        secretTree = res.tree;
        last = res.content.content;
      } else {
        throw new Refusal("InvalidMessage", `an MLSMessage of ${msg.wireformat}, not a PublicMessage or PrivateMessage`);
      }
    }
    return contentOf(last);
  };
}

// --- mls-welcome --------------------------------------------------------------------------

function processWelcome(h) {
  return async ({ cipher_suite, init_priv, key_package, signer_pub, welcome }) => {
    const cs = await h.suite(cipher_suite);
    const w = mlsMessage(h.decodeAll, welcome, "mls_welcome").welcome;
    const kp = mlsMessage(h.decodeAll, key_package, "mls_key_package").keyPackage;
    // joinGroupWithExtensions's steps up to the GroupInfo, without the tree it has no part of.
    const ref = await makeKeyPackageRef(kp, cs.hash);
    const initKey = await cs.hpke.importPrivateKey(init_priv);
    const secrets = await decryptGroupSecrets(initKey, ref, w, cs.hpke);
    if (secrets === undefined) throw new Refusal("InvalidMessage", "GroupSecrets does not decode");
    const pskSecret = new Uint8Array(cs.kdf.size);
    const gi = await decryptGroupInfo(w, secrets.joinerSecret, pskSecret, cs);
    if (gi === undefined) throw new Refusal("InvalidMessage", "GroupInfo does not decode");
    if (!(await verifyGroupInfoSignature(gi, signer_pub, cs.signature))) {
      throw new Refusal("InvalidSignature", "GroupInfo signature does not verify");
    }
    if (!(await verifyGroupInfoConfirmationTag(gi, secrets.joinerSecret, pskSecret, cs))) {
      throw new Refusal("AuthenticationFailed", "GroupInfo confirmation tag does not verify");
    }
    const [keySchedule] = await deriveKeySchedule(secrets.joinerSecret, pskSecret, gi.groupContext, cs.kdf);
    return {
      group_context: encodeGroupContext(gi.groupContext),
      epoch_authenticator: keySchedule.epochAuthenticator,
    };
  };
}

// --- mls-tree-validation ------------------------------------------------------------------

function nodeIn(tree, node) {
  if (!Number.isInteger(node) || node < 0 || node >= tree.length) {
    throw new Refusal("InvalidInput", `node ${node} is not in a tree of ${tree.length} nodes`);
  }
  return node;
}

function treeHashOf(h) {
  return async ({ cipher_suite, tree, node }) => {
    const cs = await h.suite(cipher_suite);
    const t = ratchetTree(h.decodeAll, tree);
    return treeHash(t, nodeIn(t, node), cs.hash);
  };
}

function resolutionOf(h) {
  return async ({ cipher_suite, tree, node }) => {
    await h.suite(cipher_suite);
    const t = ratchetTree(h.decodeAll, tree);
    return concatUint32(resolution(t, nodeIn(t, node)));
  };
}

function concatUint32(values) {
  const out = new Uint8Array(4 * values.length);
  values.forEach((v, i) => new DataView(out.buffer).setUint32(4 * i, v));
  return out;
}

function verifyTree(h) {
  return async ({ cipher_suite, group_id, tree }) => {
    const cs = await h.suite(cipher_suite);
    const t = ratchetTree(h.decodeAll, tree);
    // validateRatchetTree's structural check first: a leaf node only at even indices.
    for (const [i, n] of t.entries()) {
      if (n !== undefined && (n.nodeType === "leaf") !== isLeaf(i)) {
        throw new Refusal(PROTOCOL, `node ${i} is a ${n.nodeType} node`);
      }
    }
    if (!(await verifyParentHashes(t, cs.hash))) {
      throw new Refusal(PROTOCOL, "verifyParentHashes: a parent node's parent hash is not covered");
    }
    for (const [i, n] of t.entries()) {
      if (n?.nodeType !== "leaf") continue;
      // As validateRatchetTree: key-package leaves verify without group context, others with.
      const ok = n.leaf.leafNodeSource === "key_package"
        ? await verifyLeafNodeSignatureKeyPackage(n.leaf, cs.signature)
        : await verifyLeafNodeSignature(n.leaf, group_id, nodeToLeafIndex(i), cs.signature);
      if (!ok) throw new Refusal("InvalidSignature", `leaf ${nodeToLeafIndex(i)}: LeafNode signature does not verify`);
    }
    return null;
  };
}

// --- mls-tree-operations ------------------------------------------------------------------

function applyProposal(h) {
  return async ({ cipher_suite, tree, proposal, sender }) => {
    const cs = await h.suite(cipher_suite);
    let t = ratchetTree(h.decodeAll, tree);
    const p = h.decodeAll(decodeProposal, proposal, "Proposal");
    // applyTreeMutations's tree steps (clientState.js): updateLeafNode, removeLeafNode,
    // addLeafNode; its leaf-node and key-package validation needs a group context this
    // interface does not give, so it is not run.
    switch (p.proposalType) {
      case "add":
        [t] = addLeafNode(t, p.add.keyPackage.leafNode);
        break;
      case "update":
        t = updateLeafNode(t, p.update.leafNode, memberLeaf(t, sender, "Update sender"));
        break;
      case "remove": {
        // applyTreeMutations's validateRemove (not exported): the removed leaf must be non-blank.
        const removed = p.remove.removed;
        if (t[leafToNodeIndex(toLeafIndex(removed))] === undefined) {
          throw new Refusal(PROTOCOL, `Tried to remove empty leaf node (leaf ${removed})`);
        }
        t = removeLeafNode(t, toLeafIndex(removed));
        break;
      }
      default:
        throw new Refusal("Unsupported", `a ${p.proposalType} proposal does not change the tree`);
    }
    return { tree: encodeRatchetTree(t), tree_hash: await treeHashRoot(t, cs.hash) };
  };
}

// --- mls-treekem --------------------------------------------------------------------------

// In ts-mls's own path a commit's sender is looked up (getSignaturePublicKeyFromLeafIndex, a
// ValidationError) before applyUpdatePath or createUpdatePath run, and those two throw an
// InternalError for a blank leaf; given a tree and a leaf index directly, the adapter makes
// the framing layer's check.
function memberLeaf(tree, leaf, what) {
  if (!Number.isInteger(leaf) || leaf < 0 || tree[leafToNodeIndex(toLeafIndex(leaf))]?.nodeType !== "leaf") {
    throw new Refusal(PROTOCOL, `${what} ${leaf} is not a member (a blank leaf or outside the tree)`);
  }
  return toLeafIndex(leaf);
}

function treekemReceive(h) {
  return async (p) => {
    const cs = await h.suite(p.cipher_suite);
    const tree = ratchetTree(h.decodeAll, p.tree);
    const path = h.decodeAll(decodeUpdatePath, p.update_path, "UpdatePath");
    const secrets = {};
    for (const item of splitBlobs(p.path_secrets)) secrets[uint32(item, "path_secrets item")] = item.subarray(4);
    // processMessages.js's applyTreeUpdate and updatePrivateKeyPath for a member sender.
    memberLeaf(tree, p.receiver, "receiver");
    const updated = await applyUpdatePath(tree, memberLeaf(tree, p.sender, "sender"), path, cs.hash);
    const th = await treeHashRoot(updated, cs.hash);
    const own = { leafIndex: p.receiver, privateKeys: { [leafToNodeIndex(toLeafIndex(p.receiver))]: p.encryption_priv } };
    const privatePath = mergePrivateKeyPaths(own, await toPrivateKeyPath(secrets, p.receiver, cs));
    const gc = groupContextOf(p.cipher_suite, p.group_id, p.epoch, th, p.confirmed_transcript_hash);
    const secret = await applyUpdatePathSecret(updated, privatePath, toLeafIndex(p.sender), gc, path, [], cs);
    const commitSecret = await getCommitSecret(updated, secret.nodeIndex, secret.pathSecret, cs.kdf);
    return { path_secret: secret.pathSecret, commit_secret: commitSecret, tree_hash_after: th };
  };
}

function treekemSend(h) {
  return async (p) => {
    const cs = await h.suite(p.cipher_suite);
    const tree = ratchetTree(h.decodeAll, p.tree);
    if (p.leaf_secret.length !== cs.kdf.size) {
      throw new Refusal("InvalidInput", `leaf_secret of ${p.leaf_secret.length} bytes, not Nh = ${cs.kdf.size}`);
    }
    // createUpdatePath encrypts to the context of the epoch after the one it is given (epoch + 1,
    // the provisional tree's hash), so it is given the epoch before; it draws path_secret[0] as
    // cs.rng.randomBytes(Nh), which this one call answers with leaf_secret.
    if (p.epoch < 1) throw new Refusal("Unsupported", "createUpdatePath encrypts to epoch + 1: epoch 0 cannot be asked for");
    const gc = groupContextOf(p.cipher_suite, p.group_id, p.epoch - 1, new Uint8Array(), p.confirmed_transcript_hash);
    let drawn = 0;
    const rng = {
      randomBytes(n) {
        drawn += 1;
        if (drawn === 1 && n === cs.kdf.size) return p.leaf_secret.slice();
        return cs.rng.randomBytes(n);
      },
    };
    const sender = memberLeaf(tree, p.sender, "sender");
    const [updated, path, pathSecrets] = await createUpdatePath(tree, sender, gc, p.signature_priv, { ...cs, rng });
    if (drawn === 0) throw new Error("createUpdatePath drew no path secret from cs.rng");
    // createCommit.js: the commit secret from the last (root) path secret createUpdatePath
    // returns; with no parent on the filtered direct path it is zero.
    const last = pathSecrets.at(-1);
    const commitSecret = last === undefined
      ? new Uint8Array(cs.kdf.size)
      : await getCommitSecret(updated, last.nodeIndex, last.secret, cs.kdf);
    return {
      update_path: encodeUpdatePath(path),
      commit_secret: commitSecret,
      tree_hash_after: await treeHashRoot(updated, cs.hash),
    };
  };
}

// --- mls-passive-client -------------------------------------------------------------------

function passiveClient(h) {
  return async (p) => {
    const cs = await h.suite(p.cipher_suite);
    const welcome = mlsMessage(h.decodeAll, p.welcome, "mls_welcome").welcome;
    const keyPackage = mlsMessage(h.decodeAll, p.key_package, "mls_key_package").keyPackage;
    const psks = {};
    const items = splitBlobs(p.external_psks);
    if (items.length % 2 !== 0) throw new Refusal("InvalidInput", "external_psks: an odd number of items");
    for (let i = 0; i < items.length; i += 2) psks[bytesToBase64(items[i])] = items[i + 1];
    const tree = p.ratchet_tree.length === 0 ? undefined : ratchetTree(h.decodeAll, p.ratchet_tree);
    const keys = { initPrivateKey: p.init_priv, hpkePrivateKey: p.encryption_priv, signaturePrivateKey: p.signature_priv };
    let state = await joinGroup(welcome, keyPackage, keys, makePskIndex(undefined, psks), cs, tree);
    const out = [state.keySchedule.epochAuthenticator];
    for (const epoch of splitBlobs(p.epochs)) {
      for (const bytes of splitBlobs(epoch)) {
        const msg = mlsMessage(h.decodeAll, bytes);
        if (msg.wireformat !== "mls_public_message" && msg.wireformat !== "mls_private_message") {
          throw new Refusal("InvalidMessage", `an MLSMessage of ${msg.wireformat} in an epoch`);
        }
        // processPublicMessage / processPrivateMessage, as processMessage dispatches, except that
        // processMessage hands a PrivateMessage emptyPskIndex: the PSK index is passed here.
        const index = makePskIndex(state, psks);
        const res = msg.wireformat === "mls_public_message"
          ? await processPublicMessage(state, msg.publicMessage, index, cs, acceptAll)
          : await processPrivateMessage(state, msg.privateMessage, index, cs, acceptAll);
        if (res.kind === "applicationMessage") throw new Refusal("InvalidInput", "an application message in an epoch");
        state = res.newState;
      }
      out.push(state.keySchedule.epochAuthenticator);
    }
    return joinBlobs(out);
  };
}

/** The protocol-tier handlers, keyed as serve() wants them. */
export function protocolMethods(helpers) {
  const r = (fn) => refusing(fn(helpers), helpers.hpkeRefusal);
  return {
    "mls-messages.mls_decode_encode": r(decodeEncode),
    "mls-message-protection.mls_protect": r(protectMessage),
    "mls-message-protection.mls_unprotect": r(unprotectMessages),
    "mls-welcome.mls_process_welcome": r(processWelcome),
    "mls-tree-validation.mls_tree_hash": r(treeHashOf),
    "mls-tree-validation.mls_resolution": r(resolutionOf),
    "mls-tree-validation.mls_verify_tree": r(verifyTree),
    "mls-tree-operations.mls_apply_proposal": r(applyProposal),
    "mls-treekem.mls_treekem_receive": r(treekemReceive),
    "mls-treekem.mls_treekem_send": r(treekemSend),
    "mls-passive-client.mls_passive_client": r(passiveClient),
  };
}

/** Short notes for describe (adapter.toml carries the longer ones). */
export const PROTOCOL_NOTES = {
  "mls-messages": "decode*/encode* of message.js, proposal.js, commit.js, ratchetTree.js, ...",
  "mls-message-protection": "messageProtection.js / messageProtectionPublic.js; leaf 1 holds signature_pub, leaf 0 blank",
  "mls-welcome": "joinGroup's steps: decryptGroupSecrets, decryptGroupInfo, GroupInfo signature and tag, deriveKeySchedule",
  "mls-tree-validation": "treeHash, resolution, verifyParentHashes, verifyLeafNodeSignature(KeyPackage)",
  "mls-tree-operations": "addLeafNode / updateLeafNode / removeLeafNode, treeHashRoot",
  "mls-treekem": "applyUpdatePath + applyUpdatePathSecret; createUpdatePath with cs.rng answering leaf_secret",
  "mls-passive-client": "joinGroup, then processPublicMessage / processPrivateMessage",
};

export const PROTOCOL_CAPABILITIES = [
  "mls-messages",
  "mls-message-protection",
  "mls-welcome",
  "mls-tree-validation",
  "mls-tree-operations",
  "mls-treekem",
  "mls-passive-client",
];

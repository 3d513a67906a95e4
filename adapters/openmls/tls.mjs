// A minimal reader of the RFC 9420 structures core-crypto hands out in the clear but gives no
// accessor for: the GroupInfo of a commit bundle (its GroupContext and ratchet_tree extension,
// §12.4.3, §12.4.3.3) and a KeyPackage's leaf (its lifetime, §7.2). Only what the adapter needs
// is decoded; the rest is skipped by its length prefix. A structure that does not parse throws
// TlsError, which the caller reports as an internal error: these bytes come from core-crypto
// itself, so a failure here is the adapter's (or the library's) fault, never the peer's.

export class TlsError extends Error {
  constructor(message) {
    super(message);
    this.name = "TlsError";
  }
}

/** A cursor over bytes with the TLS presentation-language readers RFC 9420 §2.1 uses. */
export class Reader {
  constructor(bytes) {
    this.bytes = bytes;
    this.at = 0;
  }

  need(n) {
    if (this.at + n > this.bytes.length) throw new TlsError("truncated structure");
  }

  u8() {
    this.need(1);
    return this.bytes[this.at++];
  }

  u16() {
    this.need(2);
    const v = (this.bytes[this.at] << 8) | this.bytes[this.at + 1];
    this.at += 2;
    return v;
  }

  u32() {
    return this.u16() * 0x10000 + this.u16();
  }

  u64() {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }

  // §2.1.2: variable-length integer prefix (1, 2 or 4 bytes by the top two bits).
  varint() {
    const first = this.u8();
    const prefix = first >> 6;
    if (prefix === 0) return first & 0x3f;
    if (prefix === 1) return ((first & 0x3f) << 8) | this.u8();
    if (prefix === 2) return (first & 0x3f) * 0x1000000 + this.u8() * 0x10000 + this.u16();
    throw new TlsError("invalid variable-length integer prefix");
  }

  opaque() {
    const n = this.varint();
    this.need(n);
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  /** A vector<V> of items read by `item` from a sub-reader. */
  vector(item) {
    const sub = new Reader(this.opaque());
    const out = [];
    while (sub.at < sub.bytes.length) out.push(item(sub));
    return out;
  }
}

const CREDENTIAL_BASIC = 1;
const CREDENTIAL_X509 = 2;
const SOURCE_KEY_PACKAGE = 1;
const SOURCE_UPDATE = 2;
const SOURCE_COMMIT = 3;
const NODE_LEAF = 1;
const NODE_PARENT = 2;
const EXTENSION_RATCHET_TREE = 2;
const WIRE_GROUP_INFO = 4;

function credential(r) {
  const type = r.u16();
  if (type === CREDENTIAL_BASIC) return { type, identity: r.opaque() };
  if (type === CREDENTIAL_X509) return { type, identity: r.vector((s) => s.opaque())[0] };
  throw new TlsError(`credential type ${type}`);
}

// §7.2 LeafNode: everything up to and including the signature.
function leafNode(r) {
  r.opaque(); // encryption_key
  r.opaque(); // signature_key
  const cred = credential(r);
  for (let i = 0; i < 5; i++) r.opaque(); // capabilities: versions ... credentials
  const source = r.u8();
  let lifetime;
  if (source === SOURCE_KEY_PACKAGE) lifetime = { notBefore: r.u64(), notAfter: r.u64() };
  else if (source === SOURCE_COMMIT) r.opaque(); // parent_hash
  else if (source !== SOURCE_UPDATE) throw new TlsError(`leaf_node_source ${source}`);
  r.opaque(); // extensions
  r.opaque(); // signature
  return { identity: cred.identity, lifetime };
}

// §7.8 optional<Node> ratchet_tree<V>: the identity at each leaf index (null where blank).
function ratchetTree(bytes) {
  const r = new Reader(bytes);
  const nodes = r.vector((s) => {
    if (s.u8() === 0) return null;
    const type = s.u8();
    if (type === NODE_LEAF) return leafNode(s);
    if (type === NODE_PARENT) {
      s.opaque(); // encryption_key
      s.opaque(); // parent_hash
      s.opaque(); // unmerged_leaves
      return { parent: true };
    }
    throw new TlsError(`node type ${type}`);
  });
  // Leaves sit at the even node indices (§4.1).
  const leaves = [];
  for (let i = 0; i < nodes.length; i += 2) leaves.push(nodes[i] === null ? null : nodes[i].identity);
  return leaves;
}

/**
 * The GroupInfo MLSMessage of a commit bundle: its epoch, tree_hash and the identities of its
 * ratchet tree's leaves by leaf index (RFC 9420 §12.4.3).
 */
export function readGroupInfo(message) {
  const r = new Reader(message);
  r.u16(); // version
  if (r.u16() !== WIRE_GROUP_INFO) throw new TlsError("not a GroupInfo MLSMessage");
  r.u16(); // version
  r.u16(); // cipher_suite
  r.opaque(); // group_id
  const epoch = r.u64();
  const treeHash = r.opaque();
  r.opaque(); // confirmed_transcript_hash
  r.opaque(); // group context extensions
  const extensions = r.vector((s) => ({ type: s.u16(), data: s.opaque() }));
  const tree = extensions.find((e) => e.type === EXTENSION_RATCHET_TREE);
  if (tree === undefined) throw new TlsError("the GroupInfo has no ratchet_tree extension");
  return { epoch, treeHash, leaves: ratchetTree(tree.data) };
}

/** A KeyPackage (not wrapped in an MLSMessage): its leaf's lifetime (RFC 9420 §10). */
export function readKeyPackageLifetime(keyPackage) {
  const r = new Reader(keyPackage);
  r.u16(); // version
  r.u16(); // cipher_suite
  r.opaque(); // init_key
  return leafNode(r).lifetime;
}

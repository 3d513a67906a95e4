// The group level of the `mls` family (conformance/capabilities/mls_group.py) over core-crypto's
// CoreCryptoContext API, OpenMLS underneath: generateKeyPackage (RFC 9420 §10),
// createConversation (§11), addClientsToConversation / updateKeyingMaterial /
// removeClientsFromConversation (§12.4; the commit bundle arrives through the MlsTransport
// callback and is merged once the callback returns), processWelcomeMessage (§12.4.3.1),
// encryptMessage / decryptMessage (§6.3), exportSecretKey (§8.5).
//
// A member is a handle: core-crypto keeps a client's keys and groups in its keystore and
// offers no export of them, so each client is a CoreCrypto over Database.inMemory() living in
// this process, and the member bytes name it and count its steps. A handle of an earlier step
// is refused (InvalidInput): the client has moved on and cannot go back to it.
//
// `random` reseeds the client's CSPRNG (CoreCrypto.reseed with SHA-256(random)) before every
// drawing step. A key package's signature, init and encryption keys all come from it
// (core-crypto takes no signature key, so signature_priv is unused): equal `random` gives equal
// keys, but a key package also carries the current time (its lifetime), so equal inputs do not
// give equal outputs and fixed-randomness is not declared.
import { createHash } from "node:crypto";
import { Refusal } from "./e2ee-host.mjs";
import { cc } from "./wasm.mjs";
import { readGroupInfo, readKeyPackageLifetime } from "./tls.mjs";
import { CLIENT_ID_FORMAT, WIRE, clientIdParts, frame, keyPackageBody, wireFormat } from "./wire.mjs";

/** Cipher suites core-crypto 10.3.0 builds groups in (see the manifest's quirks). */
export const SUITES = [1, 2, 3, 5, 7];

const clients = new Map();
let nextClient = 1;
const TAG = "openmls member";

function handle(c) {
  return new TextEncoder().encode(`${TAG} ${c.n} ${c.step}`);
}

function load(member) {
  const m = /^openmls member (\d+) (\d+)$/.exec(new TextDecoder().decode(member));
  const c = m === null ? undefined : clients.get(Number(m[1]));
  if (c === undefined) throw new Refusal("InvalidInput", "not an openmls member handle of this process");
  if (Number(m[2]) !== c.step) {
    throw new Refusal(
      "InvalidInput",
      `member handle of step ${m[2]}, the client is at step ${c.step}: core-crypto keeps one state per client and cannot go back`,
    );
  }
  return c;
}

function inGroup(c) {
  if (c.removed) throw new Refusal("InvalidInput", "the member was removed (core-crypto wiped the conversation)");
  if (c.conv === undefined) throw new Refusal("InvalidInput", "the member is in no group");
  return c.conv;
}

async function reseed(c, random) {
  await c.cc.reseed(new Uint8Array(createHash("sha256").update(random).digest()));
}

// core-crypto 10.3.0's transaction() rolls back when its callback throws, but then resolves
// with undefined instead of rejecting (only core-crypto's own errors reject it): an exception
// of the adapter's inside a callback would pass unseen, so every check runs before the
// transaction, and the callback is async so nothing is thrown at the call itself.
function run(c, body) {
  return c.cc.transaction(async (ctx) => body(ctx));
}

// A step that changes the client: run in one core-crypto transaction (rolled back on error),
// then a new handle. A refusal carries the unchanged handle as the state after it.
async function mutate(c, body) {
  let out;
  try {
    out = await run(c, body);
  } catch (err) {
    const refusal = refusalOf(err);
    refusal.state = handle(c);
    throw refusal;
  }
  c.step += 1;
  return out;
}

// --- error mapping ------------------------------------------------------------------------

// core-crypto's errors: CoreCryptoError { tag "Mls", inner.mlsError { tag, inner } } with typed
// tags for the message-ordering cases and "Other" carrying OpenMLS's error text; a transaction
// error may wrap it (TransactionFailed / Other with a message).
function describe(err) {
  if (err === null || typeof err !== "object") return { tag: "", text: String(err) };
  const mls = err.inner?.mlsError;
  if (mls !== undefined) return { tag: mls.tag, text: mls.inner?.msg ?? mls.message ?? mls.tag };
  return { tag: err.tag ?? "", text: err.inner?.msg ?? err.inner?.error ?? err.message ?? String(err) };
}

// OpenMLS's error texts, first match wins ("duplicate signature" is a key package whose
// signature key a member already has, §12.1.1, not a signature that fails).
const TEXT_KINDS = [
  [/^Unsupported/, "Unsupported"],
  // Another member's identity that is not a ClientId: core-crypto, as the application, refuses
  // it (RFC 9420 §5.3.1 leaves that to the application); the suite says so from the manifest's
  // declared identity format, so it is a refusal, not a step core-crypto cannot take.
  [/client id was not of the format/, "InvalidMessage"],
  [/duplicate signature/i, "InvalidMessage"],
  [/signature/i, "InvalidSignature"],
  [/membership tag|confirmation tag|failed to decrypt|aead/i, "AuthenticationFailed"],
];

export function refusalOf(err) {
  if (err instanceof Refusal) return err;
  const { tag, text } = describe(err);
  switch (tag) {
    case "DuplicateMessage":
    case "SelfCommitIgnored": // the member's own commit, already merged
      return new Refusal("DuplicateMessage", `core-crypto: ${tag}`);
    case "ConversationAlreadyExists":
    case "UnmergedPendingGroup":
    case "WrongEpoch":
    case "MessageEpochTooOld":
    case "BufferedFutureMessage":
    case "BufferedCommit":
    case "StaleCommit":
    case "StaleProposal":
    case "OrphanWelcome":
      return new Refusal("InvalidMessage", `core-crypto: ${tag}`);
    default:
      break;
  }
  if (tag === "Other" || tag === "Mls" || tag === "TransactionFailed") {
    for (const [re, kind] of TEXT_KINDS) if (re.test(text)) return new Refusal(kind, `core-crypto: ${text}`);
    return new Refusal("InvalidMessage", `core-crypto: ${text}`);
  }
  return err;
}

// --- handlers -----------------------------------------------------------------------------

async function keyPackage({ cipher_suite, identity, random }) {
  if (!SUITES.includes(cipher_suite)) throw new Refusal("Unsupported", `cipher suite ${cipher_suite}`);
  const { uuid, device, domain } = clientIdParts(identity);
  const clientId = new cc.ClientId(new cc.Uuid(uuid), cc.DeviceId.fromHexString(device), domain);
  if (Buffer.compare(Buffer.from(clientId.copyBytes()), Buffer.from(identity)) !== 0) {
    throw new Refusal(
      "Unsupported",
      `core-crypto would write this identity differently (${new TextDecoder().decode(clientId.copyBytes())}): ${CLIENT_ID_FORMAT}`,
    );
  }
  const c = { n: nextClient++, step: 0, clientId, suite: cipher_suite, bundles: [], conv: undefined };
  c.cc = cc.CoreCrypto.new(await cc.Database.inMemory());
  const transport = {
    sendCommitBundle: async (bundle) => {
      c.bundles.push(bundle);
    },
    prepareForTransport: async () => new Uint8Array(0),
  };
  // The CSPRNG exists once MLS is initialised: reseed between the two steps.
  await run(c, (ctx) => ctx.mlsInit(clientId, transport));
  await reseed(c, random);
  let kp;
  await c.cc.transaction(async (ctx) => {
    c.cred = await ctx.addCredential(cc.Credential.basic(cipher_suite, clientId));
    kp = await ctx.generateKeyPackage(c.cred);
  });
  clients.set(c.n, c);
  return { member: handle(c), key_package: frame(WIRE.keyPackage, kp.serialize()) };
}

async function create({ member, group_id, random }) {
  const c = load(member);
  if (c.conv !== undefined) throw new Refusal("InvalidInput", "the member is already in a group");
  await reseed(c, random);
  const conv = new cc.ConversationId(group_id);
  await mutate(c, (ctx) => ctx.createConversation(conv, c.cred));
  c.conv = conv;
  return handle(c);
}

function sendable(wire_format) {
  if (wire_format === WIRE.private) {
    throw new Refusal(
      "Unsupported",
      "core-crypto 10.3.0 creates every conversation with the plaintext wire policy: commits go out as PublicMessages",
    );
  }
  if (wire_format !== WIRE.public) throw new Refusal("InvalidInput", `wire_format ${wire_format}: not 1 or 2`);
}

// A commit: core-crypto hands the bundle to the transport and merges it when that returns.
async function commit(c, wire_format, random, body) {
  sendable(wire_format);
  const conv = inGroup(c);
  await reseed(c, random);
  c.bundles.length = 0;
  await mutate(c, (ctx) => body(ctx, conv));
  if (c.bundles.length !== 1) throw new Error(`core-crypto sent ${c.bundles.length} commit bundles, not 1`);
  const bundle = c.bundles.pop();
  const info = readGroupInfo(bundle.groupInfo.payload);
  c.groupInfo = { epoch: info.epoch, treeHash: Uint8Array.from(info.treeHash) };
  const welcome = bundle.welcome === undefined ? new Uint8Array(0) : bundle.welcome.serialize();
  return { member: handle(c), commit: bundle.commit, welcome };
}

// OpenMLS's Lifetime::is_valid wants not_before < now, strictly, and so refuses a key package
// in the second it was made (mls-rs and rine-mls write not_before = now; RFC 9420 §7.2 allows
// its use from not_before on). Whether a run crossed a second boundary must not decide a
// verdict, so the adapter waits until that second has passed (at most about a second); the
// finding is reported in the README.
async function afterNotBefore(body) {
  let notBefore;
  try {
    notBefore = Number(readKeyPackageLifetime(body).notBefore);
  } catch {
    return; // core-crypto judges a key package the adapter cannot read
  }
  const wait = (notBefore + 1) * 1000 - Date.now();
  if (wait > 0 && wait <= 2000) await new Promise((done) => setTimeout(done, wait + 20));
}

async function add({ member, key_package, wire_format, random }) {
  const c = load(member);
  const body = keyPackageBody(key_package);
  await afterNotBefore(body);
  const kp = new cc.KeyPackage(body);
  return commit(c, wire_format, random, (ctx, conv) => ctx.addClientsToConversation(conv, [kp]));
}

async function update({ member, wire_format, random }) {
  return commit(load(member), wire_format, random, (ctx, conv) => ctx.updateKeyingMaterial(conv));
}

// core-crypto names members by ClientId only, and getClientIds skips blank leaves, so the leaf
// indices come from a GroupInfo: a self-update is committed inside a transaction that is then
// aborted by a throw (core-crypto rolls the keystore back: epoch and keys unchanged; the
// transaction resolves quietly, see run() above), and the bundle's
// GroupInfo lists the identity at each leaf index of the tree (null where blank, §7.8). An
// update blanks and truncates nothing, so the leaves are the current epoch's.
const PROBE = "openmls adapter: roll back the probe commit";

// Who sits at which leaf changes only with the epoch, so one probe per client and epoch.
async function leaves(c) {
  const conv = inGroup(c);
  const n = await run(c, (ctx) => ctx.conversationEpoch(conv));
  if (c.leaves?.epoch !== n) c.leaves = { epoch: n, leaves: await probeLeaves(c, conv) };
  return c.leaves.leaves;
}

async function probeLeaves(c, conv) {
  c.bundles.length = 0;
  try {
    await c.cc.transaction(async (ctx) => {
      await ctx.updateKeyingMaterial(conv);
      throw new Error(PROBE);
    });
  } catch (err) {
    if (!String(err?.message ?? err).includes(PROBE)) throw err;
  }
  if (c.bundles.length !== 1) throw new Error(`the probe commit gave ${c.bundles.length} bundles`);
  return readGroupInfo(c.bundles.pop().groupInfo.payload).leaves;
}

const same = (x, y) => x !== null && Buffer.compare(Buffer.from(x), Buffer.from(y)) === 0;

async function remove({ member, leaf_index, wire_format, random }) {
  const c = load(member);
  sendable(wire_format);
  const identity = (await leaves(c))[leaf_index] ?? null;
  if (identity === null) throw new Refusal("InvalidInput", `no member at leaf ${leaf_index}`);
  const conv = inGroup(c);
  const ids = await run(c, (ctx) => ctx.getClientIds(conv));
  const id = ids.find((x) => same(x.copyBytes(), identity));
  if (id === undefined) throw new Error(`no client id for the identity at leaf ${leaf_index}`);
  return commit(c, wire_format, random, (ctx, conv) => ctx.removeClientsFromConversation(conv, [id]));
}

async function join({ member, welcome }) {
  const c = load(member);
  if (c.conv !== undefined) throw new Refusal("InvalidInput", "the member is already in a group");
  const wire = wireFormat(welcome, "Welcome");
  if (wire !== WIRE.welcome) throw new Refusal("InvalidMessage", `Welcome: an MLSMessage of wire format ${wire}, not 3`);
  let w;
  try {
    w = new cc.Welcome(welcome);
  } catch (err) {
    throw refusalOf(err);
  }
  c.conv = await mutate(c, (ctx) => ctx.processWelcomeMessage(w));
  return handle(c);
}

async function encrypt({ member, plaintext, random }) {
  const c = load(member);
  const conv = inGroup(c);
  await reseed(c, random);
  const message = await mutate(c, (ctx) => ctx.encryptMessage(conv, plaintext));
  return { member: handle(c), message };
}

async function processMessage({ member, message }) {
  const c = load(member);
  const conv = inGroup(c);
  const wire = wireFormat(message, "message");
  if (wire !== WIRE.public && wire !== WIRE.private) {
    throw new Refusal("InvalidMessage", `an MLSMessage of wire format ${wire}, not 1 or 2`);
  }
  const got = await mutate(c, (ctx) => ctx.decryptMessage(conv, message));
  const none = new Uint8Array(0);
  switch (got.tag) {
    case "Text":
      return { member: handle(c), content_type: 1, application_data: got.inner.plaintext };
    case "Commit":
      if (!got.inner.isActive) c.removed = true;
      return { member: handle(c), content_type: 3, application_data: none };
    case "Proposal":
      return { member: handle(c), content_type: 2, application_data: none };
    default:
      throw new Error(`core-crypto decrypted a message of kind ${got.tag}`);
  }
}

// exportSecretKey(conversation, length) is OpenMLS's export_secret with core-crypto's fixed
// label "exporter" and empty context (crypto/src/mls/conversation/export.rs).
async function exportSecret({ member, label, context, length }) {
  const c = load(member);
  if (new TextDecoder().decode(label) !== "exporter" || context.length !== 0) {
    throw new Refusal(
      "Unsupported",
      'core-crypto exports only MLS-Exporter("exporter", "", length) (exportSecretKey takes no label or context)',
    );
  }
  try {
    const conv = inGroup(c);
    const key = await run(c, (ctx) => ctx.exportSecretKey(conv, length));
    return key.copyBytes();
  } catch (err) {
    throw refusalOf(err);
  }
}

// core-crypto exposes the epoch; the tree hash only through the GroupInfo of a commit this
// client made (empty in an epoch another member's commit opened), no epoch_authenticator at all
// (empty); the leaves from the probe above.
async function epoch({ member }) {
  const c = load(member);
  const conv = inGroup(c);
  const n = await run(c, (ctx) => ctx.conversationEpoch(conv));
  const tree = await leaves(c);
  const own = c.clientId.copyBytes();
  const fromGroupInfo = c.groupInfo !== undefined && c.groupInfo.epoch === n;
  return {
    epoch: Number(n),
    epoch_authenticator: new Uint8Array(0),
    tree_hash: fromGroupInfo ? c.groupInfo.treeHash : new Uint8Array(0),
    leaf_index: tree.findIndex((x) => same(x, own)),
    member_count: tree.filter((x) => x !== null).length,
  };
}

const guarded = (fn) => async (params) => {
  try {
    return await fn(params);
  } catch (err) {
    throw refusalOf(err);
  }
};

/** The mls-group handlers, keyed as serve() wants them. */
export const groupMethods = {
  "mls-group.mls_key_package": guarded(keyPackage),
  "mls-group.mls_create": guarded(create),
  "mls-group.mls_add": guarded(add),
  "mls-group.mls_join": guarded(join),
  "mls-group.mls_update": guarded(update),
  "mls-group.mls_remove": guarded(remove),
  "mls-group.mls_encrypt": guarded(encrypt),
  "mls-group.mls_process": guarded(processMessage),
  "mls-group.mls_export": guarded(exportSecret),
  "mls-group.mls_epoch": guarded(epoch),
};

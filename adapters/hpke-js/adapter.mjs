// Adapter for hpke-js (@hpke/core + @hpke/chacha20poly1305): RFC 9180 HPKE over WebCrypto.
//
// The ephemeral key pair is injected through createSenderContext's `ekm` parameter, which
// @hpke/core documents as "for debugging/testing purposes": given bytes, it derives the pair with
// the KEM's DeriveKeyPair (RFC 9180 §7.1.3), exactly as RFC 9180 Appendix A does with ikmE.
// Native errors become the suite's neutral kinds here: OpenError is AuthenticationFailed;
// DeserializeError, EncapError, DecapError and ValidationError (a key that does not parse, or
// Node's WebCrypto refusing an all-zero X25519 output) are InvalidKey; ExportError (L above
// 255 * Nh) and InvalidParamError are InvalidInput.
import { packageVersion, Refusal, serve } from "./e2ee-host.mjs";
import {
  Aes128Gcm,
  CipherSuite,
  DecapError,
  DeserializeError,
  DhkemX25519HkdfSha256,
  EncapError,
  ExportError,
  HkdfSha256,
  InvalidParamError,
  OpenError,
  ValidationError,
} from "@hpke/core";
import { Chacha20Poly1305 } from "@hpke/chacha20poly1305";

const KEM_X25519 = 0x0020;
const KDF_SHA256 = 0x0001;
const AEADS = { 0x0001: () => new Aes128Gcm(), 0x0003: () => new Chacha20Poly1305() };
const PSK_MODES = [1, 3];
const AUTH_MODES = [2, 3];

function suiteOf(kemId, kdfId, aeadId) {
  if (kemId !== KEM_X25519 || kdfId !== KDF_SHA256 || !Object.hasOwn(AEADS, aeadId)) {
    throw new Refusal("Unsupported", `suite (${kemId}, ${kdfId}, ${aeadId})`);
  }
  return new CipherSuite({
    kem: new DhkemX25519HkdfSha256(),
    kdf: new HkdfSha256(),
    aead: AEADS[aeadId](),
  });
}

function checkMode(mode, psk, pskId, senderKey) {
  if (![0, 1, 2, 3].includes(mode)) throw new Refusal("Unsupported", `mode ${mode}`);
  const wantsPsk = PSK_MODES.includes(mode);
  if ((psk.length > 0) !== wantsPsk || (pskId.length > 0) !== wantsPsk) {
    throw new Refusal("InvalidInput", `mode ${mode} and the PSK inputs disagree`);
  }
  if ((senderKey.length > 0) !== AUTH_MODES.includes(mode)) {
    throw new Refusal("InvalidInput", `mode ${mode} and the sender key disagree`);
  }
  return wantsPsk ? { psk: { id: pskId, key: psk } } : {};
}

// Translate @hpke/core's errors into neutral kinds; anything else stays an internal error.
async function translated(what, fn) {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof Refusal) throw err;
    if (err instanceof OpenError) throw new Refusal("AuthenticationFailed", `${what}: ${err.message}`);
    for (const kind of [DeserializeError, EncapError, DecapError, ValidationError]) {
      if (err instanceof kind) throw new Refusal("InvalidKey", `${what}: ${err.name}: ${err.message}`);
    }
    if (err instanceof ExportError || err instanceof InvalidParamError) {
      throw new Refusal("InvalidInput", `${what}: ${err.name}: ${err.message}`);
    }
    throw err;
  }
}

function concat(a, b) {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(new Uint8Array(a), 0);
  out.set(new Uint8Array(b), a.byteLength);
  return out;
}

async function deriveKeyPair({ kem_id, ikm }) {
  const suite = suiteOf(kem_id, KDF_SHA256, 0x0001);
  const pair = await translated("DeriveKeyPair", () => suite.kem.deriveKeyPair(ikm));
  return concat(
    await suite.kem.serializePrivateKey(pair.privateKey),
    await suite.kem.serializePublicKey(pair.publicKey),
  );
}

async function seal(p) {
  const suite = suiteOf(p.kem_id, p.kdf_id, p.aead_id);
  const params = {
    ...checkMode(p.mode, p.psk, p.psk_id, p.sk_s),
    info: p.info,
    ekm: p.ikm_e,
    recipientPublicKey: await translated("pkR", () => suite.kem.deserializePublicKey(p.pk_r)),
  };
  if (p.sk_s.length) {
    params.senderKey = await translated("skS", () => suite.kem.deserializePrivateKey(p.sk_s));
  }
  return translated("Seal", async () => {
    const ctx = await suite.createSenderContext(params);
    return concat(ctx.enc, await ctx.seal(p.plaintext, p.aad));
  });
}

async function recipient(p) {
  const suite = suiteOf(p.kem_id, p.kdf_id, p.aead_id);
  const params = {
    ...checkMode(p.mode, p.psk, p.psk_id, p.pk_s),
    info: p.info,
    enc: p.enc,
    recipientKey: await translated("skR", () => suite.kem.deserializePrivateKey(p.sk_r)),
  };
  if (p.pk_s.length) {
    params.senderPublicKey = await translated("pkS", () => suite.kem.deserializePublicKey(p.pk_s));
  }
  return translated("Decap", () => suite.createRecipientContext(params));
}

async function open(p) {
  const ctx = await recipient(p);
  return new Uint8Array(await translated("Open", () => ctx.open(p.ciphertext, p.aad)));
}

async function exportSecret(p) {
  const ctx = await recipient(p);
  return new Uint8Array(
    await translated("Export", () => ctx.export(p.exporter_context, p.length)),
  );
}

const version = ["core", "common", "chacha20poly1305"]
  .map((name) => `@hpke/${name} ${packageVersion(`@hpke/${name}`, import.meta.url)}`)
  .join(", ");

serve(
  {
    name: "hpke-js",
    implementation: "hpke-js (@hpke/core, WebCrypto)",
    version: `${version}, node ${process.versions.node}`,
    capabilities: ["hpke"],
    notes: {
      hpke:
        "ephemeral key injected with createSenderContext({ ekm: ikm_e }); X25519 is Node's " +
        "WebCrypto (OpenSSL), which refuses an all-zero result (DecapError / EncapError)",
    },
  },
  {
    "hpke.hpke_derive_key_pair": deriveKeyPair,
    "hpke.hpke_seal": seal,
    "hpke.hpke_open": open,
    "hpke.hpke_export": exportSecret,
  },
);

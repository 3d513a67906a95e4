// A stdio adapter written from docs/adapter-protocol.md alone: Node.js built-ins, no npm packages.
import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey } from "node:crypto";
import { diffieHellman } from "node:crypto";
import { createInterface } from "node:readline";

class RpcError extends Error {
  constructor(code, message, kind) {
    super(message);
    this.code = code;
    this.kind = kind;
  }
}
const refuse = (kind, message) => new RpcError(-32000, message, kind);

// Raw X25519 keys wrapped as DER (RFC 8410): PKCS#8 and SubjectPublicKeyInfo prefixes.
const PKCS8 = Buffer.from("302e020100300506032b656e04220420", "hex");
const SPKI = Buffer.from("302a300506032b656e032100", "hex");

function x25519({ private: sk, public: pk }) {
  if (sk.length !== 32 || pk.length !== 32) throw refuse("InvalidKey", "keys are 32 bytes");
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8, sk]), format: "der", type: "pkcs8" });
  const publicKey = createPublicKey({ key: Buffer.concat([SPKI, pk]), format: "der", type: "spki" });
  try {
    return diffieHellman({ privateKey, publicKey });
  } catch (err) {
    throw refuse("InvalidKey", err.message); // OpenSSL refuses an all-zero shared secret
  }
}

function checkSizes(key, nonce) {
  if (key.length !== 32) throw refuse("InvalidInput", "key must be 32 bytes");
  if (nonce.length !== 12) throw refuse("InvalidInput", "nonce must be 12 bytes");
}

function encrypt({ key, nonce, plaintext, aad }) {
  checkSizes(key, nonce);
  const cipher = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
  cipher.setAAD(aad, { plaintextLength: plaintext.length });
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

function decrypt({ key, nonce, ciphertext, aad }) {
  checkSizes(key, nonce);
  if (ciphertext.length < 16) throw refuse("AuthenticationFailed", "shorter than the tag");
  const decipher = createDecipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
  decipher.setAAD(aad, { plaintextLength: ciphertext.length - 16 });
  decipher.setAuthTag(ciphertext.subarray(-16));
  const head = decipher.update(ciphertext.subarray(0, -16));
  try {
    return Buffer.concat([head, decipher.final()]); // nothing is returned unless the tag verifies
  } catch {
    throw refuse("AuthenticationFailed", "tag mismatch");
  }
}

const DESCRIPTION = {
  protocol: 2, // stateless capabilities only: version 2 asks nothing more of them
  name: "node-shim",
  implementation: "Node.js node:crypto (OpenSSL)",
  version: `node ${process.versions.node}, OpenSSL ${process.versions.openssl}`,
  capabilities: ["x25519", "aead:chacha20-poly1305"],
  batch: true, // it answers a JSON array line with a JSON array line
};
const METHODS = {
  "x25519.x25519": x25519,
  "aead:chacha20-poly1305.encrypt": encrypt,
  "aead:chacha20-poly1305.decrypt": decrypt,
};

function answer(request) {
  const id = request?.id ?? null;
  try {
    if (request?.jsonrpc !== "2.0") throw new RpcError(-32600, "not a JSON-RPC 2.0 request");
    if (request.method === "describe") return { jsonrpc: "2.0", id, result: DESCRIPTION };
    if (!Object.hasOwn(METHODS, request.method)) throw new RpcError(-32601, "method not found");
    const params = {}; // every parameter of these methods is a byte string
    for (const [name, value] of Object.entries(request.params ?? {})) {
      if (!/^(?:[0-9a-f]{2})*$/i.test(`${value}`)) throw new RpcError(-32602, `${name}: not hex`);
      params[name] = Buffer.from(value, "hex");
    }
    return { jsonrpc: "2.0", id, result: METHODS[request.method](params).toString("hex") };
  } catch (err) {
    const { code = -32603, message, kind } = err instanceof RpcError ? err : { message: `${err}` };
    return { jsonrpc: "2.0", id, error: { code, message, ...(kind && { data: { kind } }) } };
  }
}

// One line in, one line out; the process exits (status 0) when the suite closes stdin.
createInterface({ input: process.stdin, crlfDelay: Infinity }).on("line", (line) => {
  let response;
  try {
    const message = JSON.parse(line);
    response = Array.isArray(message) ? message.map(answer) : answer(message);
  } catch {
    response = { jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } };
  }
  process.stdout.write(`${JSON.stringify(response)}\n`);
});

// e2ee-host.mjs: the Node.js host library for stdio adapters (docs/adapter-protocol.md).
//
// Dependency-free ES module. An adapter is a table of functions:
//
//   import { serve, Refusal } from "./e2ee-host.mjs";
//   serve({ name, implementation, version, capabilities, notes }, {
//     "x25519.x25519": ({ private: sk, public: pk }) => lib.x25519(sk, pk),
//   });
//
// Parameters: every string parameter is decoded from hex (lower or upper case) to a
// Uint8Array, except those named in TEXT_PARAMS (opaque strings such as session handles;
// an adapter with other text parameters adds their names before serving).
// Numbers, booleans, null, arrays and objects are passed through unchanged. A string that is
// not even-length hex is answered with -32602 (invalid params; the suite records InvalidInput).
//
// Results: a handler (sync or async) returns a Uint8Array (sent as lowercase hex), null or
// undefined (sent as JSON null), or a JSON value; Uint8Arrays nested in arrays and plain
// objects are hex-encoded too. To refuse an input it throws `new Refusal(kind, message)` with
// one of KINDS (-32000 with error.data.kind). Any other exception is answered with -32603 and
// its message, which the suite records as an error, never a pass. An unknown method is -32601.
// Every described capability needs a handler, except a marker (`<capability>:fixed-randomness`,
// see isMarker), which has no methods.
// `describe` is answered here from the first argument of serve(), with `protocol: 2` (or
// info.protocol, 1 or 2) and `batch: true` (batches are answered, see below).
//
// State after a refusal (protocol 2): a stateful operation that takes a party's state refuses
// with `new Refusal(kind, message, { state })`, `state` a Uint8Array holding the party's state
// as it stands after the refused attempt, exported from the library's real object; it is sent
// as error.data.state (hex). `refusal.state = bytes` on a caught Refusal does the same. A
// refusal without a state sends none, so a protocol-1 adapter runs unchanged.
//
// Translate into a Refusal only the library's own deliberate rejections (its documented errors
// for bad input) and the adapter's own pre-checks; let a TypeError, a RangeError or a parser
// error leaking out of the library propagate: a crash on malformed input is a finding.
//
// Framing: stdin is read as newline-delimited JSON (partial chunks and long lines are
// buffered); lines are handled one at a time, in order. A JSON array line is a batch and is
// answered with one array line. A line that is not JSON is answered with -32700 (id null).
// Requests without an id are notifications (JSON-RPC 2.0 §4.1) and get no response. Every
// response line is one write ending in "\n". When stdin ends the process exits with status 0.
//
// stdout carries responses only: on import, console is rebuilt on stderr and
// process.stdout.write is redirected to stderr, so neither the adapter nor its libraries can
// corrupt the stream with print debugging. Import this module first, before the libraries, so
// that what they print while loading is redirected too (ES modules run in import order).
//
// packageVersion(name, import.meta.url) reads an installed package's version at run time, for
// `version`, also when the package's `exports` map hides its package.json.

import { Console } from "node:console";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The adapter protocol this host speaks: 2 lets a refusal carry the party's state. */
export const PROTOCOL = 2;

/** The suite's neutral error kinds (error.data.kind of a -32000 refusal). */
export const KINDS = Object.freeze([
  "AuthenticationFailed",
  "InvalidSignature",
  "InvalidKey",
  "InvalidMessage",
  "InvalidInput",
  "DuplicateMessage",
  "Unsupported",
]);

/**
 * A marker capability (`<capability>:fixed-randomness`) has no methods: it declares a property
 * of the adapter's other capabilities, so serve() needs no handler for it.
 */
export function isMarker(capability) {
  return capability.endsWith(":fixed-randomness");
}

/** String parameters that are not byte strings (left as strings); an adapter may add more. */
export const TEXT_PARAMS = new Set(["handle"]);

/**
 * Thrown by a handler to refuse an input: `throw new Refusal("InvalidKey", "low order")`.
 * `options.state` (Uint8Array): the party's state after the refused attempt (protocol 2).
 */
export class Refusal extends Error {
  constructor(kind, message = kind, { state } = {}) {
    super(message);
    this.name = "Refusal";
    this.kind = kind;
    this.state = state;
  }
}

// --- stdout belongs to the protocol -------------------------------------------------------

const stdout = process.stdout;
const writeResponse = stdout.write.bind(stdout);
stdout.write = (...args) => process.stderr.write(...args);
const stderrConsole = new Console({ stdout: process.stderr, stderr: process.stderr });
for (const key of Object.keys(stderrConsole)) {
  if (typeof stderrConsole[key] === "function") console[key] = stderrConsole[key];
}
stdout.on("error", (err) => {
  // The suite closed our stdout (EPIPE): nobody is listening any more.
  process.stderr.write(`e2ee-host: stdout: ${err.message}\n`);
  process.exit(0);
});

// --- hex ----------------------------------------------------------------------------------

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

export function fromHex(text) {
  if (!HEX.test(text)) throw new TypeError("not an even-length hex string");
  return new Uint8Array(Buffer.from(text, "hex"));
}

export function toHex(bytes) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

function encodeResult(value) {
  if (value === undefined || value === null) return null;
  if (value instanceof Uint8Array) return toHex(value);
  if (Array.isArray(value)) return value.map(encodeResult);
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeResult(v)]));
  }
  return value;
}

// --- versions -----------------------------------------------------------------------------

/**
 * The version of an installed npm package, read at run time. `from` is the adapter's
 * import.meta.url. Packages whose `exports` map hides package.json are found by walking up
 * the node_modules folders from the adapter's directory.
 */
export function packageVersion(name, from) {
  try {
    return createRequire(from)(`${name}/package.json`).version;
  } catch {
    // ERR_PACKAGE_PATH_NOT_EXPORTED: read the file directly.
  }
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    try {
      const file = join(dir, "node_modules", ...name.split("/"), "package.json");
      return JSON.parse(readFileSync(file, "utf8")).version;
    } catch {
      const up = dirname(dir);
      if (up === dir) throw new Error(`cannot find the installed version of ${name}`);
      dir = up;
    }
  }
}

// --- JSON-RPC -----------------------------------------------------------------------------

const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const METHOD_NOT_FOUND = -32601;
const INVALID_PARAMS = -32602;
const INTERNAL_ERROR = -32603;
const REFUSED = -32000;

function failure(id, code, message, data) {
  const error = { code, message: String(message) };
  if (data !== undefined) error.data = data;
  return { jsonrpc: "2.0", id, error };
}

function isValidId(id) {
  return id === null || typeof id === "string" || (typeof id === "number" && isFinite(id));
}

async function handleRequest(request, methods) {
  if (request === null || typeof request !== "object" || Array.isArray(request)) {
    return failure(null, INVALID_REQUEST, "a request must be a JSON object");
  }
  const hasId = Object.hasOwn(request, "id");
  if (hasId && !isValidId(request.id)) {
    return failure(null, INVALID_REQUEST, "id must be a string, a number or null");
  }
  const id = hasId ? request.id : null;
  if (request.jsonrpc !== "2.0" || typeof request.method !== "string") {
    return failure(id, INVALID_REQUEST, "not a JSON-RPC 2.0 request");
  }
  const response = await call(request, id, methods);
  return hasId ? response : undefined;
}

async function call(request, id, methods) {
  const handler = Object.hasOwn(methods, request.method) ? methods[request.method] : undefined;
  if (typeof handler !== "function") {
    return failure(id, METHOD_NOT_FOUND, `method not found: ${request.method}`);
  }
  const raw = request.params === undefined ? {} : request.params;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return failure(id, INVALID_PARAMS, "params must be an object (by name)");
  }
  const params = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === "string" && !TEXT_PARAMS.has(key)) {
      try {
        params[key] = fromHex(value);
      } catch {
        return failure(id, INVALID_PARAMS, `param ${key} is not an even-length hex string`);
      }
    } else {
      params[key] = value;
    }
  }
  try {
    return { jsonrpc: "2.0", id, result: encodeResult(await handler(params)) };
  } catch (err) {
    if (err instanceof Refusal) {
      if (!KINDS.includes(err.kind)) {
        return failure(id, INTERNAL_ERROR, `refusal of unknown kind ${err.kind}: ${err.message}`);
      }
      if (err.state === undefined || err.state === null) {
        return failure(id, REFUSED, err.message, { kind: err.kind });
      }
      if (!(err.state instanceof Uint8Array)) {
        return failure(id, INTERNAL_ERROR, `refusal state is not a Uint8Array: ${err.message}`);
      }
      return failure(id, REFUSED, err.message, { kind: err.kind, state: toHex(err.state) });
    }
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return failure(id, INTERNAL_ERROR, message);
  }
}

function stringify(response) {
  try {
    return JSON.stringify(response);
  } catch (err) {
    return JSON.stringify(failure(response.id, INTERNAL_ERROR, `unserialisable result: ${err}`));
  }
}

async function handleLine(line, methods) {
  let message;
  try {
    message = JSON.parse(line);
  } catch (err) {
    return JSON.stringify(failure(null, PARSE_ERROR, `parse error: ${err.message}`));
  }
  if (!Array.isArray(message)) {
    const response = await handleRequest(message, methods);
    return response === undefined ? undefined : stringify(response);
  }
  if (message.length === 0) {
    return JSON.stringify(failure(null, INVALID_REQUEST, "empty batch"));
  }
  const responses = await Promise.all(message.map((r) => handleRequest(r, methods)));
  const answered = responses.filter((r) => r !== undefined);
  return answered.length ? `[${answered.map(stringify).join(",")}]` : undefined;
}

function crash(err) {
  process.stderr.write(`e2ee-host: ${err?.stack ?? err}\n`);
  process.exit(1);
}

// --- serve --------------------------------------------------------------------------------

/**
 * Answer requests on stdin until it ends, then exit 0.
 * info: { name, implementation, version, capabilities, notes?, protocol? } (the `describe`
 * result; `protocol` 1 for a stateful adapter whose refusals carry no state, 2 by default).
 * handlers: { "<capability>.<operation>": (params) => result }.
 */
export function serve(info, handlers) {
  for (const key of ["name", "implementation", "version"]) {
    if (typeof info[key] !== "string" || !info[key]) {
      throw new TypeError(`serve(): info.${key} must be a non-empty string`);
    }
  }
  const capabilities = [...info.capabilities];
  for (const cap of capabilities) {
    if (isMarker(cap)) continue;
    if (!Object.keys(handlers).some((m) => m.startsWith(`${cap}.`))) {
      throw new TypeError(`serve(): capability ${cap} is described but has no handler`);
    }
  }
  const protocol = info.protocol ?? PROTOCOL;
  if (protocol !== 1 && protocol !== PROTOCOL) {
    throw new TypeError(`serve(): info.protocol must be 1 or ${PROTOCOL}`);
  }
  const description = {
    protocol,
    name: info.name,
    implementation: info.implementation,
    version: info.version,
    capabilities,
    batch: true,
  };
  if (info.notes && Object.keys(info.notes).length) description.notes = { ...info.notes };
  const methods = { ...handlers, describe: () => description };

  const lines = [];
  let pending = [];
  let ended = false;
  let busy = false;

  async function drain() {
    if (busy) return;
    busy = true;
    while (lines.length) {
      const line = lines.shift().toString("utf8");
      if (!line.trim()) continue;
      const out = await handleLine(line, methods);
      if (out !== undefined) writeResponse(`${out}\n`);
    }
    busy = false;
    if (ended) writeResponse("", () => process.exit(0));
  }

  process.stdin.on("data", (chunk) => {
    let start = 0;
    let nl;
    while ((nl = chunk.indexOf(10, start)) !== -1) {
      pending.push(chunk.subarray(start, nl));
      lines.push(Buffer.concat(pending));
      pending = [];
      start = nl + 1;
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
    drain().catch(crash);
  });
  process.stdin.on("end", () => {
    if (pending.length) lines.push(Buffer.concat(pending));
    pending = [];
    ended = true;
    drain().catch(crash);
  });
}

// RFC 9420 framing around core-crypto's API: core-crypto takes and gives a bare KeyPackage (§10)
// where the suite passes MLSMessages (§6), and takes identities only in its ClientId form.
import { Refusal } from "./e2ee-host.mjs";

/** §6 WireFormat values. */
export const WIRE = { public: 1, private: 2, welcome: 3, groupInfo: 4, keyPackage: 5 };
const MLS10 = 1;

function uint16(bytes, at) {
  return (bytes[at] << 8) | bytes[at + 1];
}

/** MLSMessage header: version mls10 and the wire format (§6). */
export function wireFormat(message, what) {
  if (message.length < 4 || uint16(message, 0) !== MLS10) {
    throw new Refusal("InvalidMessage", `${what}: not an mls10 MLSMessage`);
  }
  return uint16(message, 2);
}

export function frame(wire, body) {
  const out = new Uint8Array(4 + body.length);
  out.set([0, MLS10, 0, wire]);
  out.set(body, 4);
  return out;
}

/** The KeyPackage inside an MLSMessage of wire format mls_key_package. */
export function keyPackageBody(message) {
  const wire = wireFormat(message, "key package");
  if (wire !== WIRE.keyPackage) {
    throw new Refusal("InvalidMessage", `key package: an MLSMessage of wire format ${wire}, not 5`);
  }
  return message.subarray(4);
}

// core-crypto's ClientId: "<uuid>:<device id in hex>@<domain>", the BasicCredential identity
// it writes and the only one it accepts in others' leaves. It writes the 64-bit device id in
// lowercase hex without leading zeros (device 2 is ":2@"), so the caller checks the round trip.
const CLIENT_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):([0-9a-f]{1,16})@([^@\s]+)$/;
export const CLIENT_ID_FORMAT =
  "<lowercase uuid>:<device id, 1-16 lowercase hex digits without leading zeros>@<domain>";

/** The parts of a core-crypto client id, or Unsupported for any other identity. */
export function clientIdParts(identity) {
  let text;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(identity);
  } catch {
    text = undefined;
  }
  const m = text === undefined ? null : CLIENT_ID.exec(text);
  if (m === null) {
    throw new Refusal(
      "Unsupported",
      `core-crypto takes only identities of the form ${CLIENT_ID_FORMAT} (its ClientId)`,
    );
  }
  return { uuid: m[1], device: m[2].padStart(16, "0"), domain: m[3] };
}

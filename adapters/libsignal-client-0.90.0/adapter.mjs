// @signalapp/libsignal-client 0.90.0, one entry of the version matrix: current Signal from
// ../libsignal-client/current.mjs (sender keys left to the 0.103.0 entry: same wire format),
// copied beside this file by `[environment] shared` so that they run against this folder's
// pinned library (through compat.mjs, which gives it 0.103.0's call shapes).
import { serve } from "./e2ee-host.mjs";
import { CURRENT, only } from "./current.mjs";

serve(
  {
    name: "libsignal-client-0.90.0",
    implementation: CURRENT.library,
    version: CURRENT.version,
    capabilities: ["signal-pq", "signal-sealed-sender", "signal-fingerprint"],
    notes: CURRENT.notes,
  },
  only(CURRENT.handlers, "signal-pq.", "signal-sealed-sender.", "signal-fingerprint."),
);

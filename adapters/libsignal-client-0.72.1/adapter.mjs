// @signalapp/libsignal-client 0.72.1, one entry of the version matrix: the classic `signal`
// capability from ../libsignal-client/classic.mjs and safety numbers from current.mjs,
// copied beside this file by `[environment] shared` so that they run against this folder's
// pinned library (through compat.mjs, which gives it 0.103.0's call shapes).
import { serve } from "./e2ee-host.mjs";
import * as lib from "@signalapp/libsignal-client";
import { CLASSIC_NOTE, classicHandlers } from "./classic.mjs";
import { CURRENT, only } from "./current.mjs";

serve(
  {
    name: "libsignal-client-0.72.1",
    implementation: CURRENT.library,
    version: CURRENT.version,
    capabilities: ["signal", "signal-fingerprint"],
    notes: { signal: CLASSIC_NOTE },
  },
  { ...classicHandlers(lib), ...only(CURRENT.handlers, "signal-fingerprint.") },
);

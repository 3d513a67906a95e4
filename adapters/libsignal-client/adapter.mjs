// Adapter for @signalapp/libsignal-client 0.103.0, Signal's official library: current Signal
// (current.mjs) under this folder's pinned version. The version-matrix entries
// (adapters/libsignal-client-<version>/) serve the same handlers for other versions.
import { serve } from "./e2ee-host.mjs";
import { CURRENT } from "./current.mjs";

serve(
  {
    name: "libsignal-client",
    implementation: CURRENT.library,
    version: CURRENT.version,
    capabilities: CURRENT.capabilities,
    notes: CURRENT.notes,
  },
  CURRENT.handlers,
);

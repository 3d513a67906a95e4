// @signalapp/libsignal-client 0.72.1, one entry of the version matrix: the classic `signal`
// capability from ../libsignal-client/classic.mjs, copied beside this file by
// `[environment] shared` so that it runs against this folder's pinned library.
import { packageVersion, serve } from "./e2ee-host.mjs";
import * as lib from "@signalapp/libsignal-client";
import { CLASSIC_NOTE, classicHandlers } from "./classic.mjs";

const LIB = "@signalapp/libsignal-client";

serve(
  {
    name: "libsignal-client-0.72.1",
    implementation: LIB,
    version: packageVersion(LIB, import.meta.url),
    capabilities: ["signal"],
    notes: { signal: CLASSIC_NOTE },
  },
  classicHandlers(lib),
);

// Adapter for OpenMLS (Rust, RFC 9420) as Wire's @wireapp/core-crypto builds it in, driven
// through core-crypto's wasm (browser) build in Node.js: the group level of the `mls` family
// (conformance/capabilities/mls_group.py), which group.mjs serves. core-crypto offers no
// lower-level MLS functions, so the crypto and protocol tiers are not served.
import { packageVersion, serve } from "./e2ee-host.mjs";
import { cc } from "./wasm.mjs";
import { groupMethods } from "./group.mjs";

const meta = cc.buildMetadata();
serve(
  {
    name: "openmls",
    implementation: "OpenMLS in Wire core-crypto (wasm)",
    version:
      `@wireapp/core-crypto ${packageVersion("@wireapp/core-crypto", import.meta.url)} ` +
      `(core-crypto ${cc.version()}, ${meta.gitDescribe ?? ""}), node ${process.versions.node}`,
    capabilities: ["mls-group"],
    notes: {
      "mls-group":
        "CoreCryptoContext over Database.inMemory(): generateKeyPackage, createConversation, " +
        "addClientsToConversation / updateKeyingMaterial / removeClientsFromConversation (commit " +
        "bundle through MlsTransport), processWelcomeMessage, encryptMessage, decryptMessage, " +
        'exportSecretKey (label "exporter", empty context only); member = handle to an in-process ' +
        "client; PublicMessage commits only; no epoch_authenticator",
    },
  },
  groupMethods,
);

// The installed @signalapp/libsignal-client, shaped like 0.103.0's API, for the version matrix
// (adapters/libsignal-client-<version>/ copy this file beside their adapter through
// `[environment] shared`; in the 0.103.0 adapter's own folder it changes nothing).
//
//   import { S } from "./compat.mjs";   // instead of: import * as S from "@signalapp/libsignal-client"
//
// Differences bridged, each detected from the module (a function's arity, an export) rather
// than from a version number:
// - The local address, passed after the peer's: 0.92 added it to signalEncrypt and
//   signalDecryptPreKey, 0.94 to processPreKeyBundle and signalDecrypt too (0.103.0 binds both
//   addresses into every message). Where a function has no such parameter the wrapper drops it.
// - 0.75.1 to 0.78.x take a UsePQRatchet argument (SPQR on or off per session) after the
//   stores of processPreKeyBundle, signalDecryptPreKey and sealedSenderDecryptMessage. The
//   wrappers pass UsePQRatchet.Yes (SPQR offered, as 0.83 and later always do).
// - Before 0.76, IdentityKeyStore.saveIdentity answers a boolean (replaced an existing key),
//   later an IdentityChange. The IdentityChange given there is {NewOrUnchanged: false,
//   ReplacedExisting: true}, so a store written for 0.103.0 answers the boolean.
// - The native logger can be set once per process (a second initLogger is silently ignored),
//   so S.initLogger registers its callback with one logger shared by every caller (classic.mjs
//   and the current-Signal handlers each read the library's warnings).
// Everything else the adapters use (PreKeyBundle.new, the record classes, KEM keys, sealed
// sender, sender keys, Fingerprint) has the same shape from 0.65.4 to 0.103.0.
import * as installed from "@signalapp/libsignal-client";

const loggers = new WeakMap(); // library module -> the callbacks its one native logger feeds

function sharedInitLogger(lib) {
  return (level, callback) => {
    let callbacks = loggers.get(lib);
    if (callbacks === undefined) {
      callbacks = [];
      loggers.set(lib, callbacks);
      lib.initLogger(level, (...args) => {
        for (const fn of callbacks) fn(...args);
      });
    }
    callbacks.push(callback);
  };
}

/** A 0.103.0-shaped view of the library module `lib`. */
export function compat(lib) {
  const pq = lib.UsePQRatchet === undefined ? [] : [lib.UsePQRatchet.Yes];
  // Arity with the local address (and without the UsePQRatchet argument, counted separately).
  const local = {
    processPreKeyBundle: lib.processPreKeyBundle.length - pq.length >= 5,
    signalEncrypt: lib.signalEncrypt.length >= 5,
    signalDecrypt: lib.signalDecrypt.length >= 5,
    signalDecryptPreKey: lib.signalDecryptPreKey.length - pq.length >= 8,
  };
  const S = { ...lib, initLogger: sharedInitLogger(lib) };
  if (lib.IdentityChange === undefined) {
    S.IdentityChange = Object.freeze({ NewOrUnchanged: false, ReplacedExisting: true });
  }
  const addresses = (name, address, localAddress) => (local[name] ? [address, localAddress] : [address]);
  if (Object.values(local).every(Boolean) && pq.length === 0) return Object.freeze(S);
  S.processPreKeyBundle = (bundle, address, localAddress, sessionStore, identityStore, now) => {
    const args = [bundle, ...addresses("processPreKeyBundle", address, localAddress), sessionStore, identityStore, ...pq];
    return now === undefined ? lib.processPreKeyBundle(...args) : lib.processPreKeyBundle(...args, now);
  };
  S.signalEncrypt = (message, address, localAddress, ...rest) =>
    lib.signalEncrypt(message, ...addresses("signalEncrypt", address, localAddress), ...rest);
  S.signalDecrypt = (message, address, localAddress, ...rest) =>
    lib.signalDecrypt(message, ...addresses("signalDecrypt", address, localAddress), ...rest);
  S.signalDecryptPreKey = (message, address, localAddress, ...stores) =>
    lib.signalDecryptPreKey(message, ...addresses("signalDecryptPreKey", address, localAddress), ...stores, ...pq);
  if (pq.length) {
    S.sealedSenderDecryptMessage = (...args) => lib.sealedSenderDecryptMessage(...args, ...pq);
  }
  return Object.freeze(S);
}

/** The installed library, 0.103.0-shaped. */
export const S = compat(installed);

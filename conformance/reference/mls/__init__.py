"""The suite's reference MLS (RFC 9420) crypto tier: the functions the MLS working group's
test-vector categories exercise (tree math, crypto basics, secret tree, key schedule, PSK
secret, transcript hashes), for the seven cipher suites of RFC 9420 §17.1.

The protocol modules import no crypto library: SHA-2, HMAC and HKDF come from the standard
library (hashlib, hmac), signatures and HPKE through the small interfaces of :mod:`.crypto`.
Those are implemented in :mod:`.hpke_binding` over :mod:`conformance.reference.hpke` (whose
ephemeral-key randomness is injected) and in :mod:`.pyca`, this package's one module over
pyca/cryptography: no adapter offers Ed448 or ECDSA over P-256/P-384/P-521 as capabilities.
"""

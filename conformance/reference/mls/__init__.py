"""The suite's reference MLS (RFC 9420) crypto tier: the functions the MLS working group's
test-vector categories exercise (tree math, crypto basics, secret tree, key schedule, PSK
secret, transcript hashes), for the seven cipher suites of RFC 9420 §17.1.

The protocol modules import no crypto library: SHA-2 and HMAC come from the standard library,
signatures and HPKE through the small interfaces of :mod:`.crypto`, implemented over
pyca/cryptography in :mod:`.pyca` and over :mod:`conformance.reference.hpke`.
"""

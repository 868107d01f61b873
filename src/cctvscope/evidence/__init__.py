"""Police evidence: requests to footage holders, the evidence vault and evidence packages.

* :mod:`~cctvscope.evidence.requests`: one request per holder of the cameras that
  could have seen a place, its state machine and SLA figures.
* :mod:`~cctvscope.evidence.vault`: content-addressed, read-only masters and the
  hash-chained, append-only custody log.
* :mod:`~cctvscope.evidence.package`: the zip handed on (masters, manifest,
  custody log, signed anchor).
* :mod:`~cctvscope.evidence.signing`: Ed25519 keys and the anchor's signature.
* :mod:`~cctvscope.evidence.verify`: every link of a package checked, each failure named.

Import the submodules directly; this package imports nothing, so that the store
and the CLI can load any one of them alone.
"""

from __future__ import annotations

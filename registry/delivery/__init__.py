"""The delivery gateway: the holder's data served only against a licence use, redeemed exactly once.

``uses`` is what a licensee signs (an off-chain ``DeliveryUse``) and how each use becomes a Merkle leaf;
``receipts`` is what the gateway signs for each delivery; ``ranges`` reads HTTP byte ranges;
``licence_view`` caches licence terms and the chain's clock; ``gateway`` is the service; ``ports``
declares what it needs from the chain, the database, the content store and the holder's API.
"""

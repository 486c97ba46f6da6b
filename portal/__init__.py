"""The portal: the pages people use (public notice board, certificate verification, QR resolver, the PDF
certificate), server-rendered in Simplified Chinese by default and English by choice.

It is an edge beside the API: it reads the same services, through the Protocols of
:mod:`dataledger.portal.ports`, and :func:`dataledger.portal.app.install_portal` mounts it.
"""

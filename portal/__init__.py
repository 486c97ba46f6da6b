"""The portal: the pages people use (public notice board, certificate and pledge-certificate verification,
QR resolver, the PDF certificate, the market's statistics, the registrar's workbench, an enterprise's
workspace with its orders, trades and data vouchers, a programme authority's voucher programmes),
server-rendered in Simplified Chinese by default and English by choice.

It is an edge beside the API: it reads the same services, through the Protocols of
:mod:`dataledger.portal.ports`, and :func:`dataledger.portal.app.install_portal` mounts it.
"""

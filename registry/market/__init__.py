"""The market side of the registry: exchanges' listings of certified data products, the licence
templates they offer, and the public catalogue over them (issue 14, first increment); orders and trades
of listed products (``trades``, ``trade_service``) and data vouchers (``vouchers``, ``voucher_service``)."""

"""Read side of muster: pure compliance evaluation, read models and the queries they serve."""

"""Write side of muster: domain events, aggregates, the Ledger service and its stores."""

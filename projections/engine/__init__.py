"""The rule engine's parts behind ``projections.evaluate.evaluate``: what one evaluation
knows, which version governs a window, one window's judgement, the requirements without
fixed windows, and the assembly of a result."""

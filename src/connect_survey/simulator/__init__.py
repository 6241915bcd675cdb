"""Calls played offline: the rendered flows, the real handlers, an embedded AWS (moto)."""

"""The Flow Language toolkit: what Connect accepts (spec), the linter and the engine."""

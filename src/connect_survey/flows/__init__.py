"""Our flows: templates, rendering, prompts and languages, and the catalog of the six flows."""

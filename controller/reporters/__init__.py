"""Output formats for diagnostics: text, json, sarif and github."""

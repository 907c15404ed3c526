"""okx-ext: a typed, validated wrapper around python-okx's max-withdrawal endpoint."""

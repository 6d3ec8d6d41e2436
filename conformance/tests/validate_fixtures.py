#!/usr/bin/env python3
"""Validates every conformance fixture against its JSON Schema (fixtures/conformance/schema/)."""
import json
import pathlib
import sys

import jsonschema

root = pathlib.Path(sys.argv[1])
failures = 0
for kind, schema_name in (("server", "server-cases"), ("client", "client-scenarios"), ("webhook", "webhook-cases")):
    schema = json.loads((root / "schema" / f"{schema_name}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted((root / kind).glob("*.json")):
        errors = sorted(validator.iter_errors(json.loads(path.read_text())), key=lambda e: list(e.path))
        for error in errors:
            failures += 1
            print(f"{path}: {'/'.join(map(str, error.path))}: {error.message}")
        if not errors:
            print(f"{path}: valid")
sys.exit(1 if failures else 0)

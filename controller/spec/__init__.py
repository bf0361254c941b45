"""The manifest spec: pydantic models per apiVersion and their JSON Schema. Pure."""

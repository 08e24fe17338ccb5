"""Keeping the stack's files in step with the registry, and making services from templates.

``make new-service`` / ``remove-service`` / ``remove-example`` live here, with the
checks that hold compose.yaml and .env.example to services/registry.toml. A
developer tool: the app image does not ship it.
"""

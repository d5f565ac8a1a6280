"""Embedded Kubernetes API server: the demo cluster and the cluster of every integration test.

It imports nothing from the rest of gitsync, so tests never check gitsync against itself.
"""

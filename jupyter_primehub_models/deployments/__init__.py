"""Deployments: desired state in a store, realized by a backend through a reconciler."""

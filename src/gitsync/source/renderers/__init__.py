"""One module per kind of source: plain directory, kustomize, Helm."""

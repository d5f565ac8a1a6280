"""Every annotation and label key gitsync reads or writes, in one place."""

from __future__ import annotations

ARGO = "argocd.argoproj.io"

SYNC_WAVE = f"{ARGO}/sync-wave"
HOOK = f"{ARGO}/hook"
HOOK_DELETE_POLICY = f"{ARGO}/hook-delete-policy"
SYNC_OPTIONS = f"{ARGO}/sync-options"
COMPARE_OPTIONS = f"{ARGO}/compare-options"
IGNORE_HEALTHCHECK = f"{ARGO}/ignore-healthcheck"

HELM_HOOK = "helm.sh/hook"
HELM_HOOK_WEIGHT = "helm.sh/hook-weight"
HELM_HOOK_DELETE_POLICY = "helm.sh/hook-delete-policy"

#: label selecting an app's objects (DESIGN.md §4.3)
TRACKING_LABEL = "gitsync.io/app"
#: annotation telling a real member (``app:group/Kind:namespace/name``) from a copy
TRACKING_ID = "gitsync.io/tracking-id"

#: kubectl's client-side apply record; never part of a comparison
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

#: the field manager gitsync applies with
FIELD_MANAGER = "gitsync"

#: kept on hooks until their result is read, so nothing garbage-collects them first
HOOK_FINALIZER = f"{ARGO}/hook-finalizer"
#: health-check a non-hook Pod by its containers even when its restartPolicy is not Always
IGNORE_RESTART_POLICY = f"{ARGO}/ignore-restart-policy"
#: where autoscaling/v1 HorizontalPodAutoscalers keep their conditions
HPA_V1_CONDITIONS = "autoscaling.alpha.kubernetes.io/conditions"

#!/bin/sh
# Registers the namespace once the frontend answers. The worker registers its own search
# attributes at start (service.EnsureSearchAttributes), so nothing else is set up here.
set -eu
ns="${DEFAULT_NAMESPACE:-default}"
tries=0
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then
    echo "Temporal at $TEMPORAL_ADDRESS did not answer within 2 minutes" >&2
    exit 1
  fi
  sleep 2
done
temporal operator namespace describe --namespace "$ns" --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1 ||
  temporal operator namespace create --namespace "$ns" --retention "${NAMESPACE_RETENTION:-30d}" --address "$TEMPORAL_ADDRESS"
echo "namespace $ns is ready"

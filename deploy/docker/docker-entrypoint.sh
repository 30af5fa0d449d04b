#!/bin/sh
# Entrypoint of the homeledger image.
#
#   docker run IMAGE serve --workers 4      -> homeledger serve --workers 4
#   docker run IMAGE migrate                -> homeledger migrate
#   docker run IMAGE sh                     -> sh (any command found on PATH runs as is)
#
# Before handing over it prepares PROMETHEUS_MULTIPROC_DIR: prometheus-client's
# multiprocess mode needs the directory to exist and to start empty (files left by
# processes of an earlier run would be counted again). /tmp is a tmpfs/emptyDir.
set -eu

if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
    mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
    find "$PROMETHEUS_MULTIPROC_DIR" -mindepth 1 -delete
fi

if [ "$#" -eq 0 ]; then
    set -- homeledger serve --host 0.0.0.0 --port 8000
elif [ "${1#-}" != "$1" ] || ! command -v "$1" >/dev/null 2>&1; then
    set -- homeledger "$@"
fi

exec "$@"

#!/bin/bash
# Container health probe without curl: GET http://127.0.0.1:$TXAD_HEALTH_PORT$TXAD_HEALTH_PATH over bash's /dev/tcp,
# healthy when the status line says 200. Used by the image's HEALTHCHECK and docker-compose.yml.
set -euo pipefail
port=${TXAD_HEALTH_PORT:-8080}
path=${TXAD_HEALTH_PATH:-/health}
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&3
read -r -t 3 status_line <&3
[[ "$status_line" == *" 200 "* ]]

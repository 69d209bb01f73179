#!/usr/bin/env bash
# Runs a command with REDIS_URL set. When REDIS_URL is unset it installs Debian's redis-server if missing,
# starts a throwaway one on a free loopback port, and stops it afterwards, also when the command fails.
set -euo pipefail
if [[ -n "${REDIS_URL:-}" ]]; then exec "$@"; fi
if ! command -v redis-server >/dev/null 2>&1; then
  echo "with-redis: installing Debian's redis-server ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  (apt-get install -y -qq redis-server >/dev/null 2>&1) || { apt-get update -qq >/dev/null && apt-get install -y -qq redis-server >/dev/null; }
fi
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
dir=$(mktemp -d)
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" --daemonize no \
  --maxmemory-policy noeviction --loglevel warning >"$dir/redis.log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT INT TERM
for _ in $(seq 1 100); do
  if redis-cli -p "$port" ping >/dev/null 2>&1; then break; fi
  sleep 0.05
done
redis-cli -p "$port" ping >/dev/null || { echo "with-redis: redis-server did not start" >&2; cat "$dir/redis.log" >&2; exit 1; }
export REDIS_URL="redis://127.0.0.1:$port"
echo "with-redis: throwaway redis-server at $REDIS_URL" >&2
set +e
"$@"
rc=$?
set -e
exit $rc

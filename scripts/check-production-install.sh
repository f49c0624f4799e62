#!/usr/bin/env bash
# The production path of the README ("Running in production"), tried in a temporary folder on a clone
# of this repository's committed tree:
#   1. build with the full install, then drop the dev dependencies (npm run build && npm prune --omit=dev);
#   2. `npm start` runs the prebuilt bundle (no esbuild, no tsx) and publishes the example to the console;
#      Ctrl-C stops it cleanly;
#   3. an installed `quotecast` bin (npm install -g --prefix TMP) answers `split` from a folder with no
#      settings of its own (the package's embedded defaults), and `quotecast status` works there;
#   4. as in the container: an unprivileged user, the queue in its own folder, the Dockerfile's own
#      HEALTHCHECK command against /healthz, JSON logs;
#   5. the package (npm pack) carries the bundle, its chunks, the worker, the defaults and the example.
# The full install is copied from this checkout's node_modules (CI has just run `npm ci`), so
# better-sqlite3 is not compiled a second time; `npm prune --omit=dev` leaves exactly what
# `npm ci --omit=dev` installs. Prints one line per check; exits 1 on the first failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seed=$(cd "$root/.." && pwd)/shared/seed/000_2d6e0c6b88b7ca38.txt
work=$(mktemp -d "${TMPDIR:-/tmp}/quotecast-production-XXXXXX")
daemon=""
cleanup() {
  [ -n "$daemon" ] && { kill -KILL -- "-$daemon" 2>/dev/null || kill -KILL "$daemon" 2>/dev/null; } || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "production install: FAILED: $*" >&2
  [ -f "$work/start.log" ] && sed 's/^/  | /' "$work/start.log" >&2
  exit 1
}
ok() { echo "production install: ok: $*"; }

[ -d "$root/node_modules" ] || fail "run npm ci first (the check copies the full install)"
git clone -q "$root" "$work/app"
cd "$work/app"
cp -a "$root/node_modules" node_modules
npm run --silent build >/dev/null || fail "npm run build"
npm prune --omit=dev --no-audit --no-fund >/dev/null 2>&1 || fail "npm prune --omit=dev"
for dev in esbuild tsx typescript vitest @biomejs/biome dependency-cruiser fast-check; do
  [ ! -e "node_modules/$dev" ] || fail "$dev is still installed after npm prune --omit=dev"
done
ok "built, then pruned to $(ls node_modules | wc -l) runtime packages (no esbuild, tsx, typescript, vitest)"

# 2. npm start on the embedded defaults: the example article goes out to the console.
# In its own process group, as a terminal runs it: Ctrl-C or a supervisor's stop signals npm and node alike.
setsid npm start >"$work/start.log" 2>&1 &
daemon=$!
for _ in $(seq 1 90); do
  grep -q 'INFO  published channel=' "$work/start.log" && break
  kill -0 "$daemon" 2>/dev/null || fail "npm start exited before publishing"
  sleep 1
done
grep -q 'INFO  published channel=' "$work/start.log" || fail "npm start published nothing within 90 s"
! grep -q 'esbuild is not installed' "$work/start.log" || fail "npm start looked for esbuild"
# Ctrl-C: SIGINT to npm and node. npm exits 130 on its own account; what matters is node's clean stop.
# (npm does not pass a SIGTERM sent to it alone on to node: supervisors run node directly, see deploy/.)
kill -INT -- "-$daemon"
wait "$daemon" || true
for _ in $(seq 1 30); do
  grep -q 'stopped cleanly' "$work/start.log" && ! pgrep -g "$daemon" >/dev/null && break
  sleep 1
done
grep -q 'stopped cleanly' "$work/start.log" || fail "the daemon did not stop cleanly on Ctrl-C"
! pgrep -g "$daemon" >/dev/null || fail "a process of npm start is still running after Ctrl-C"
daemon=""
ok "npm start ran the prebuilt bundle, published the example to the console, stopped cleanly on Ctrl-C"

# 3. The installed bin, from a folder with no settings of its own. (`npm install -g FOLDER` links the
#    folder rather than copying a packed tarball, which would compile SQLite again; step 5 checks what
#    a tarball would hold.)
npm install -g --prefix "$work/global" "$work/app" --no-audit --no-fund >/dev/null 2>&1 || fail "npm install -g"
mkdir "$work/elsewhere"
cd "$work/elsewhere"
"$work/global/bin/quotecast" split "$seed" --platform twitter >"$work/split.txt" 2>"$work/split.err" ||
  fail "installed quotecast split: $(cat "$work/split.err")"
posts=$(grep -c '^★ #' "$work/split.txt" || true)
[ "$posts" -gt 0 ] || fail "installed quotecast split printed no posts: $(head -5 "$work/split.txt")"
# Markdown and HTML are read in the parse worker, which the bundle starts from its own folder.
"$work/global/bin/quotecast" split "$work/app/examples/harbour-reopens.md" --platform telegram >"$work/split-md.txt" 2>"$work/split.err" ||
  fail "installed quotecast split of a Markdown file: $(cat "$work/split.err")"
grep -q '^★ #' "$work/split-md.txt" || fail "installed quotecast split of a Markdown file printed no posts"
"$work/global/bin/quotecast" status >"$work/status.txt" 2>&1 || fail "installed quotecast status: $(cat "$work/status.txt")"
ok "installed quotecast: split printed $posts post(s) of the seed from a folder without settings, read Markdown through the worker; status works"

# 4. As the container runs it: an unprivileged user, the queue in its own folder (the volume), the
#    health check of deploy/Dockerfile run word for word against the daemon's /healthz.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
  as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  who="nobody (uid 65534)"
else
  as_user=()
  who="$(id -un) (not root, so not switching users)"
fi
chmod 755 "$work" "$work/app"
mkdir -m 700 "$work/volume"
[ "$(id -u)" -eq 0 ] && chown 65534:65534 "$work/volume"
healthcheck=$(sed -n 's/^ *CMD \["node", "-e", "\(.*\)"\]$/\1/p' "$work/app/deploy/Dockerfile" | sed 's/\\"/"/g')
[ -n "$healthcheck" ] || fail "no HEALTHCHECK command found in deploy/Dockerfile"
cd "$work/volume"
setsid env NODE_ENV=production LOG_FORMAT=json QUOTECAST_OPS_PORT=0 "${as_user[@]}" \
  node "$work/app/dist/quotecast.mjs" start >"$work/start.log" 2>&1 &
daemon=$!
port=""
for _ in $(seq 1 30); do
  port=$(sed -n 's#.*health and metrics on http://127.0.0.1:\([0-9]*\) .*#\1#p' "$work/start.log")
  [ -n "$port" ] && break
  kill -0 "$daemon" 2>/dev/null || fail "the daemon exited as $who"
  sleep 1
done
[ -n "$port" ] || fail "the daemon did not announce its health endpoint"
# Like the container's start period: the first answers may come before the scheduler's first tick.
healthy=""
for _ in $(seq 1 15); do
  if QUOTECAST_OPS_PORT=$port node -e "$healthcheck"; then healthy=yes && break; fi
  sleep 1
done
[ -n "$healthy" ] || fail "the container's health check kept failing against /healthz: $(curl -s "http://127.0.0.1:$port/healthz" || true)"
node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean);
  const plain = lines.filter((line) => { try { JSON.parse(line); return false; } catch { return true; } });
  if (lines.length === 0 || plain.length > 0) { console.error(plain.join("\n")); process.exit(1); }' "$work/start.log" ||
  fail "LOG_FORMAT=json left lines on standard error that are not JSON (above)"
kill -TERM "$daemon"
code=0
wait "$daemon" || code=$?
daemon=""
[ "$code" -eq 0 ] || fail "the daemon exited $code after SIGTERM as $who"
[ -f "$work/volume/data/quotecast.db" ] || fail "the queue was not created in the working folder"
owner=$(stat -c %u "$work/volume/data/quotecast.db")
ok "as $who in its own folder: queue created there (owner uid $owner), the Dockerfile's health check passed, JSON logs, exit 0 on SIGTERM"

# 5. What `npm pack` would ship.
cd "$work/app"
files=$(npm pack --dry-run --json --ignore-scripts 2>/dev/null | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () =>
    console.log(JSON.parse(s)[0].files.map((f) => f.path).join("\n")));')
for want in dist/quotecast.mjs dist/parse-worker.mjs config/default.yaml examples/harbour-reopens.md; do
  grep -qx "$want" <<<"$files" || fail "the package lacks $want"
done
grep -q '^dist/chunks/' <<<"$files" || fail "the package lacks dist/chunks/"
! grep -qE '^(src|test)/' <<<"$files" || fail "the package ships src/ or test/"
ok "npm pack ships $(wc -l <<<"$files") files: the bundle and its chunks, the worker, the defaults, the example"

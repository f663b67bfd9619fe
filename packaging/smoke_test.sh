#!/usr/bin/env bash
# Builds the one-folder bundle from a clean state and runs it the way a desk and a server
# would: --version; the desk window built and closed offscreen (--self-test); demo bookings
# in a throwaway embedded store, retried and drained by the bundled worker into .eml files
# (which needs the templates, the QR code and the signing key inside the bundle) under a
# signed-in supervisor's name; the site's key ring exported for a gate and a ticket checked
# against it. Prints the build time and the bundle's size; fails above
# BUNDLE_MAX_MB.
#
#   make bundle-check            (or: bash packaging/smoke_test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
DIST=${DIST:-dist}
WORK=${WORK:-build/pyinstaller}
BUNDLE_MAX_MB=${BUNDLE_MAX_MB:-200}
APP="$DIST/parking-desk/parking-desk"
# The sources' Python, by an absolute path (the sandbox below runs from a clean environment);
# the venv's own bin folder is kept, not the interpreter its link points to.
PY_ABS="$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY")"

fail() {
    echo "bundle-check: FAILED: $*" >&2
    exit 1
}

start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$WORK" packaging/parking-desk.spec
build_s=$(($(date +%s) - start))
[ -x "$APP" ] || fail "$APP was not built"

# Everything the app reads at run time, where resource_path() and Qt look for it.
INTERNAL="$DIST/parking-desk/_internal"
for path in \
    resources/templates/confirmation.html \
    resources/templates/confirmation.txt \
    resources/icons/parking-desk.svg \
    resources/icons/parking-desk-256.png \
    PySide6/Qt/plugins/platforms/libqoffscreen.so \
    PySide6/Qt/plugins/platforms/libqxcb.so \
    PySide6/Qt/plugins/platforms/libqwayland.so \
    PySide6/Qt/plugins/imageformats/libqsvg.so \
    PySide6/Qt/plugins/iconengines/libqsvgicon.so \
    PySide6/Qt/plugins/printsupport/libcupsprintersupport.so; do
    [ -e "$INTERNAL/$path" ] || fail "missing from the bundle: $path"
done
for ts in resources/translations/*.ts; do
    qm="resources/translations/$(basename "${ts%.ts}").qm"
    [ -s "$INTERNAL/$qm" ] || fail "missing from the bundle: $qm (run make translations)"
done

# A private home: the bundle must not read or write the real user's settings, store or keys.
SANDBOX=$(mktemp -d)
trap 'rm -rf "$SANDBOX"' EXIT
sandboxed() {
    env -i PATH=/usr/bin:/bin HOME="$SANDBOX" LANG=C.UTF-8 \
        QT_QPA_PLATFORM="${QPA:-offscreen}" ${DISPLAY_FOR_APP:+DISPLAY=$DISPLAY_FOR_APP} \
        XDG_CONFIG_HOME="$SANDBOX/config" XDG_DATA_HOME="$SANDBOX/data" \
        XDG_STATE_HOME="$SANDBOX/state" XDG_CACHE_HOME="$SANDBOX/cache" \
        XDG_RUNTIME_DIR="$SANDBOX/runtime" \
        ${PARKING_DESK_PIN:+PARKING_DESK_PIN=$PARKING_DESK_PIN} \
        ${PARKING_DESK_NEW_PIN:+PARKING_DESK_NEW_PIN=$PARKING_DESK_NEW_PIN} \
        timeout 120 "$@"
}
run() { sandboxed "$APP" "$@"; }
mkdir -m 0700 "$SANDBOX/runtime"

expected="parking-desk $("$PY" -c 'import parking_desk; print(parking_desk.__version__)')"
version=$(run --version) || fail "--version exited $?"
[ "$version" = "$expected" ] || fail "--version printed '$version', expected '$expected'"
echo "bundle-check: --version: $version"

start_ms=$(date +%s%3N)
run --self-test >"$SANDBOX/self-test.log" 2>&1 || {
    cat "$SANDBOX/self-test.log" >&2
    fail "--self-test exited non-zero"
}
self_test_ms=$(($(date +%s%3N) - start_ms))
echo "bundle-check: --self-test: the desk window opened and closed offscreen in ${self_test_ms} ms"

# The same on a real X server, through the bundled xcb plugin, where Xvfb is installed.
if command -v Xvfb >/dev/null; then
    Xvfb -displayfd 3 -screen 0 1366x800x24 -nolisten tcp 3>"$SANDBOX/display" 2>/dev/null &
    xvfb_pid=$!
    trap 'kill "$xvfb_pid" 2>/dev/null || true; rm -rf "$SANDBOX"' EXIT
    for _ in $(seq 50); do [ -s "$SANDBOX/display" ] && break; sleep 0.1; done
    [ -s "$SANDBOX/display" ] || fail "Xvfb did not start"
    QPA=xcb DISPLAY_FOR_APP=":$(head -n 1 "$SANDBOX/display")" run --self-test \
        >"$SANDBOX/self-test-xcb.log" 2>&1 || {
        cat "$SANDBOX/self-test-xcb.log" >&2
        fail "--self-test on X11 (xcb) exited non-zero"
    }
    kill "$xvfb_pid" 2>/dev/null || true
    echo "bundle-check: --self-test: the desk window opened and closed on X11 (Xvfb, xcb plugin)"
else
    echo "bundle-check: --self-test on X11 skipped: Xvfb is not installed"
fi

# Demo bookings come in a random mix of queue states; a retry of every failed one leaves
# about a third of 30 due now (none due: odds well under 1 in 1000).
run demo --count 30 >/dev/null || fail "demo exited $?"

# The queue changes only under a signed-in supervisor's name. The site's first admin is made
# by a desk's first start (the sign-in screen); with no screen here, the same service makes it
# in the sandbox's store, and the bundle's own `staff add` makes the supervisor.
ADMIN="Bundle Admin" ADMIN_PIN=8642 SUPERVISOR="Bundle Check" SUPERVISOR_PIN=9753
sandboxed "$PY_ABS" -c '
import sys
from parking_desk.config import load_settings
from parking_desk.services.runtime import open_store
from parking_desk.services.staff import StaffService
store = open_store(load_settings())
StaffService(store, where="bundle-check").create_first_admin(sys.argv[1], sys.argv[2])
store.close()
' "$ADMIN" "$ADMIN_PIN" || fail "the first admin could not be created"
PARKING_DESK_PIN=$ADMIN_PIN PARKING_DESK_NEW_PIN=$SUPERVISOR_PIN \
    run staff add "$SUPERVISOR" --role supervisor --as "$ADMIN" >/dev/null ||
    fail "staff add exited $?"
set +e
run queue retry --all-failed >/dev/null 2>"$SANDBOX/retry-anonymous.log"
code=$?
set -e
[ "$code" -eq 2 ] || fail "queue retry without --as exited $code, expected 2"
grep -q -- '--as' "$SANDBOX/retry-anonymous.log" || fail "queue retry without --as did not say why"
PARKING_DESK_PIN=$SUPERVISOR_PIN run queue retry --all-failed --as "$SUPERVISOR" >/dev/null ||
    fail "queue retry --as exited $?"
echo "bundle-check: queue retry: refused without --as (exit 2), done as $SUPERVISOR"
run worker --once >"$SANDBOX/worker.log" 2>&1 || {
    cat "$SANDBOX/worker.log" >&2
    fail "worker --once exited non-zero"
}
outbox="$SANDBOX/data/parking-desk/outbox"
# Every e-mail has its HTML part; every one but a cancellation's (which says the QR is no
# longer valid) carries the QR.
checked=$("$PY_ABS" - "$outbox" <<'PYEOF'
import sys
from email import message_from_binary_file, policy
from pathlib import Path


def stop(problem: str) -> None:
    print(problem)
    sys.exit(1)


mails = sorted(Path(sys.argv[1]).glob("*.eml")) if Path(sys.argv[1]).is_dir() else []
if not mails:
    stop(f"the worker wrote no e-mail to {sys.argv[1]}")
with_qr = 0
for path in mails:
    with path.open("rb") as handle:
        mail = message_from_binary_file(handle, policy=policy.default)
    types = {part.get_content_type() for part in mail.walk()}
    if "text/html" not in types:
        stop(f"{path} has no HTML part (templates missing?)")
    cancelled = any(word in str(mail["Subject"]) for word in ("anulat", "cancelled"))
    if "image/png" in types:
        with_qr += 1
    elif not cancelled:
        stop(f"{path} carries no QR image")
print(f"{len(mails)} e-mail(s), {with_qr} with their QR, {len(mails) - with_qr} cancellation(s)")
PYEOF
) || fail "$checked"
echo "bundle-check: worker --once: $checked in the outbox"

run export-public-key "$SANDBOX/gate.pem" >/dev/null || fail "export-public-key exited $?"
grep -q 'BEGIN PUBLIC KEY' "$SANDBOX/gate.pem" || fail "no PEM public key exported"
echo "bundle-check: export-public-key: PEM written"

# The gate's check: a ticket signed with this machine's key (the desk's signer, run from the
# sources on the sandbox's key) is valid against the exported ring, and the same ticket with
# one character changed is not.
ticket=$(sandboxed "$PY_ABS" -c '
from datetime import UTC, datetime, timedelta
from parking_desk.config import load_settings
from parking_desk.services.qr import QrSigner
signer = QrSigner.load_or_create(load_settings().qr.key_path)
print(signer.payload("BC-1001", "B123XYZ", datetime.now(UTC) + timedelta(days=3)))
') || fail "no ticket could be signed with the sandbox key"
verdict=$(run ticket verify --keys "$SANDBOX/gate.pem" "$ticket") ||
    fail "ticket verify refused a genuine ticket: $verdict"
case "$verdict" in "valid BC-1001"*) ;; *) fail "ticket verify printed: $verdict" ;; esac
forged="${ticket%?}$([ "${ticket: -1}" = A ] && echo B || echo A)"
if run ticket verify --keys "$SANDBOX/gate.pem" "$forged" >/dev/null; then
    fail "ticket verify accepted a ticket with its last character changed"
fi
echo "bundle-check: ticket verify: genuine ticket valid, altered one refused"

size_mb=$(du -sm "$DIST/parking-desk" | cut -f1)
files=$(find "$DIST/parking-desk" -type f | wc -l)
echo "bundle-check: built in ${build_s} s; $DIST/parking-desk is ${size_mb} MB in ${files} files"
[ "$size_mb" -le "$BUNDLE_MAX_MB" ] || fail "bundle is ${size_mb} MB, over ${BUNDLE_MAX_MB} MB"
echo "bundle-check: OK"

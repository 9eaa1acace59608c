# Installing and packaging (docs/install.md): `make install` lays out exactly the files
# listed below under DESTDIR, and `make uninstall` takes them all away; the installed
# binaries run; the unit verifies (systemd-analyze); the man pages are clean
# (mandoc -T lint) and name every command and option; `make deb` builds a package whose
# Depends, files and conffiles are right and in which lintian finds no error; the
# maintainer scripts, run under a scratch DPKG_ROOT with every command they could reach
# replaced by a recorder, make the user and the directory, enable the unit, start
# nothing, and delete the data on purge only. Nothing here touches the running system:
# every tree is under $BUILD/test-install, and no real systemctl is run.
. "$(dirname "$0")/lib.sh"

TOP=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$BUILD/test-install
case "$WORK" in
/?*/test-install) ;;
*)
	echo "not ok - $T_NAME: no usable BUILD ($BUILD)"
	exit 1
	;;
esac
rm -rf "$WORK"
mkdir -p "$WORK"
trap 'rm -rf "$T_DIR" "$WORK"' EXIT
VERSION=$(sed -n 's/^#define HALLS_VERSION "\(.*\)"$/\1/p' "$TOP/server/core/halls.h")

# mk TARGET VAR=VALUE...: make in the repository with this BUILD's binaries as they are
# (never rebuilt here), its output in $T_OUT and $T_ERR.
mk() {
	make -C "$TOP" --no-print-directory BUILD="$BUILD" -o "$BUILD/hallsd" -o "$BUILD/halls" \
		"$@" >"$T_OUT" 2>"$T_ERR"
}

# check DESCRIPTION COMMAND...: passes when COMMAND succeeds.
check() {
	what=$1
	shift
	if "$@"; then t_pass "$what"; else t_fail "$what"; fi
}

# same_lines DESCRIPTION WANT GOT: two files of lines are equal as sets; shows the difference.
same_lines() {
	sort "$2" >"$2.sorted"
	sort "$3" >"$3.sorted"
	if diff "$2.sorted" "$3.sorted" >"$T_DIR/diff"; then
		t_pass "$1"
	else
		t_fail "$1"
		sed 's/^/#   /' "$T_DIR/diff" | head -n 20
	fi
}

# tree DIR: every file and link under DIR, as paths relative to it.
tree() {
	(cd "$1" && find . \( -type f -o -type l \) | sed 's|^\./||')
}

# The files `make install PREFIX=/usr` installs; MAN is the man pages' suffix (.gz in
# the package).
expected() {
	man=${1:-}
	cat <<EOF
etc/default/halls
usr/bin/halls
usr/sbin/hallsd
usr/lib/systemd/system/halls.service
usr/lib/sysusers.d/halls.conf
usr/lib/tmpfiles.d/halls.conf
usr/share/man/man5/halls-data.5$man
usr/share/man/man8/halls.8$man
usr/share/man/man8/hallsd.8$man
usr/share/doc/halls/README.md
usr/share/doc/halls/schemas/db.md
usr/share/doc/halls/schemas/openapi.yaml
EOF
	(cd "$TOP" && for f in docs/*.md docs/images/*.png schemas/api/*.json; do
		echo "usr/share/doc/halls/$f"
	done)
}

# --- make install / uninstall, PREFIX=/usr -------------------------------------------
DEST=$WORK/dest
mk install PREFIX=/usr DESTDIR="$DEST"
check "make install PREFIX=/usr DESTDIR=... succeeds" test -x "$DEST/usr/sbin/hallsd"
expected >"$T_DIR/want"
tree "$DEST" >"$T_DIR/got"
same_lines "make install lays out exactly the expected files" "$T_DIR/want" "$T_DIR/got"
modes=$(cd "$DEST" && find . -type f -perm /022 | head -n 3)
check "no installed file is writable by group or others" test -z "$modes"
check "the binaries are 0755" test "$(stat -c %a "$DEST/usr/bin/halls" "$DEST/usr/sbin/hallsd" |
	sort -u)" = 755
check "the rest is 0644" test "$(cd "$DEST" && find . -type f ! -path ./usr/bin/halls \
	! -path ./usr/sbin/hallsd -exec stat -c %a {} + | sort -u)" = 644
check "the installed halls says halls $VERSION" \
	test "$("$DEST/usr/bin/halls" --version)" = "halls $VERSION"
check "the installed hallsd says hallsd $VERSION" \
	test "$("$DEST/usr/sbin/hallsd" --version)" = "hallsd $VERSION"
check "the installed unit is server/dist/halls.service as it is" \
	cmp -s "$TOP/server/dist/halls.service" "$DEST/usr/lib/systemd/system/halls.service"
check "the options file is server/dist/halls.default" \
	cmp -s "$TOP/server/dist/halls.default" "$DEST/etc/default/halls"
mk uninstall PREFIX=/usr DESTDIR="$DEST"
left=$(tree "$DEST")
check "make uninstall removes every file installed" test -z "$left"
check "and the doc directory" test ! -e "$DEST/usr/share/doc/halls"

# --- PREFIX=/usr/local: the paths in the unit and the pages follow ------------------
DEST=$WORK/local
mk install DESTDIR="$DEST"
unit=$DEST/usr/local/lib/systemd/system/halls.service
check "PREFIX defaults to /usr/local" test -x "$DEST/usr/local/sbin/hallsd"
check "the unit starts /usr/local/sbin/hallsd" grep -q "exec /usr/local/sbin/hallsd " "$unit"
check "and runs /usr/local/bin/halls init first" \
	grep -qx "ExecStartPre=/usr/local/bin/halls --data /var/lib/halls init" "$unit"
check "its docs are under /usr/local/share/doc/halls" \
	grep -q "file:/usr/local/share/doc/halls/docs/install.md" "$unit"
check "no /usr/ path of the package is left in the unit" \
	test -z "$(grep -E '/usr/(s?bin|share|lib)/' "$unit" | grep -v /usr/local/)"
check "hallsd(8) names /usr/local/share/doc/halls" \
	grep -q /usr/local/share/doc/halls "$DEST/usr/local/share/man/man8/hallsd.8"
check "the options file stays in /etc/default" test -f "$DEST/etc/default/halls"
echo 'HALLSD_OPTS="--listen 0.0.0.0:8080"' >>"$DEST/etc/default/halls"
mk install DESTDIR="$DEST"
check "installing again keeps an edited options file" grep -q 0.0.0.0 "$DEST/etc/default/halls"
mk uninstall DESTDIR="$DEST"
check "uninstalling keeps it too" grep -q 0.0.0.0 "$DEST/etc/default/halls"
check "and removes the rest" test "$(tree "$DEST")" = etc/default/halls

# --- the unit ------------------------------------------------------------------------
# Installed with real paths (PREFIX inside WORK, no DESTDIR), so that systemd-analyze
# finds the programs and man pages it names.
REAL=$WORK/real
mk install PREFIX="$REAL/usr" SYSCONFDIR="$REAL/etc"
if MANPATH=$REAL/usr/share/man systemd-analyze verify "$REAL/usr/lib/systemd/system/halls.service" \
	>"$T_OUT" 2>"$T_ERR" && [ ! -s "$T_OUT" ] && [ ! -s "$T_ERR" ]; then
	t_pass "systemd-analyze verify finds nothing to say about the unit"
else
	t_fail "systemd-analyze verify complains about the unit"
fi
for key in Type=notify User=halls StateDirectory=halls NoNewPrivileges=yes \
	ProtectSystem=strict ProtectHome=yes PrivateTmp=yes CapabilityBoundingSet= \
	MemoryDenyWriteExecute=yes SystemCallFilter=@system-service \
	"ExecReload=/bin/kill -HUP \$MAINPID" EnvironmentFile=-/etc/default/halls; do
	check "the unit says $key" grep -qx -- "$key" "$TOP/server/dist/halls.service"
done
check "the unit restricts address families" \
	grep -qx "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6" "$TOP/server/dist/halls.service"

# ExecStart through sh, as systemd runs it ($$ is one $), with a recorder for hallsd:
# the options of /etc/default/halls reach hallsd as words, quoted ones whole.
start=$(sed -n "s/^ExecStart=//p" "$REAL/usr/lib/systemd/system/halls.service" |
	sed -e 's/\$\$/$/g' -e "s|$REAL/usr/sbin/hallsd|$T_DIR/args|")
printf '#!/bin/sh\nfor a; do echo "<$a>"; done\n' >"$T_DIR/args"
chmod +x "$T_DIR/args"
# shellcheck disable=SC1090,SC1091
got=$(. "$REAL/etc/default/halls" && export HALLSD_OPTS && eval "$start")
check "the default options: hallsd --data /var/lib/halls --listen 127.0.0.1:8080" \
	test "$(echo $got)" = "<--data> </var/lib/halls> <--listen> <127.0.0.1:8080>"
got=$(HALLSD_OPTS='--listen [::1]:8080 --smtp-from-name "Hartley Borough rooms"' && export HALLSD_OPTS &&
	eval "$start")
check "a quoted value with spaces stays one argument" \
	test "$(echo "$got" | tail -n 1)" = "<Hartley Borough rooms>"

# sysusers and tmpfiles entries, applied to a scratch root.
ROOT=$WORK/root
mkdir -p "$ROOT/etc"
systemd-sysusers --root="$ROOT" "$REAL/usr/lib/sysusers.d/halls.conf" >"$T_OUT" 2>"$T_ERR"
check "systemd-sysusers makes a halls system user living in /var/lib/halls" \
	grep -qE '^halls:x:[0-9]+:[0-9]+:[^:]*:/var/lib/halls:' "$ROOT/etc/passwd"
check "and a halls group" grep -q '^halls:x:' "$ROOT/etc/group"
systemd-tmpfiles --root="$ROOT" --create "$REAL/usr/lib/tmpfiles.d/halls.conf" >"$T_OUT" 2>"$T_ERR"
uid=$(sed -n 's/^halls:x:\([0-9]*\):.*/\1/p' "$ROOT/etc/passwd")
check "systemd-tmpfiles makes /var/lib/halls, 0750, owned by halls" \
	test "$(stat -c '%a %u' "$ROOT/var/lib/halls" 2>/dev/null)" = "750 $uid"

# --- the man pages ---------------------------------------------------------------------
# mandoc's only complaints allowed: that the three pages it has not found installed
# refer to one another, and that the system's manual database is out of date.
for page in "$TOP"/docs/man/*.[58]; do
	mandoc -T lint -W style "$page" 2>&1 |
		grep -v -E 'referenced manual not found: Xr (halls|hallsd|halls-data) [58]|outdated mandoc.db' \
			>"$T_OUT"
	: >"$T_ERR"
	check "mandoc -T lint: ${page##*/} is clean" test ! -s "$T_OUT"
	check "${page##*/} says where the rest is" grep -q /usr/share/doc/halls "$page"
	check "${page##*/} has a SEE ALSO" grep -qx '.Sh SEE ALSO' "$page"
done

# Every command `halls help` lists has an entry in halls(8) with each of its options;
# every option hallsd takes (the table in server/main.c) is in hallsd(8).
mandoc -T ascii "$TOP/docs/man/halls.8" | sed "s/.\x08//g" >"$T_DIR/halls.8.txt"
"$HALLS" help | sed -n 's/^  halls //p' >"$T_DIR/commands"
missing=""
while read -r cmd; do
	name=$(echo "$cmd" | awk '{ if ($2 ~ /^[a-z-]+$/) print $1 " " $2; else print $1 }')
	entry=$(awk -v n="     $name" 'index($0, n) == 1 { on = 1; print; next }
		on && /^     [^ ]/ { exit } on { print }' "$T_DIR/halls.8.txt")
	[ -n "$entry" ] || missing="$missing [$name]"
	for opt in $(echo "$cmd" | grep -oE -- '--[a-z-]+'); do
		echo "$entry" | grep -q -- "$opt" || missing="$missing [$name $opt]"
	done
done <"$T_DIR/commands"
echo "$missing" >"$T_OUT"
check "halls(8) has every command of halls help, with its options ($(wc -l <"$T_DIR/commands"))" \
	test -z "$missing"
sed -n 's/^[[:space:]]*{"\([a-z0-9-]*\)", \(no\|required\)_argument.*/\1/p' "$TOP/server/main.c" \
	>"$T_DIR/options"
missing=""
while read -r opt; do
	grep -q "^\.It Fl \\\\-$(echo "$opt" | sed 's/-/\\\\-/g')\( \|$\)" "$TOP/docs/man/hallsd.8" ||
		missing="$missing --$opt"
done <"$T_DIR/options"
echo "$missing" >"$T_OUT"
check "hallsd(8) describes every option of hallsd ($(wc -l <"$T_DIR/options"))" \
	test -z "$missing" -a "$(wc -l <"$T_DIR/options")" -gt 20

# --- make help ----------------------------------------------------------------------------
make -C "$TOP" --no-print-directory help >"$T_DIR/help"
missing=""
for target in $(sed -n '/^\.PHONY:/,/[^\\]$/p' "$TOP/Makefile" | tr -d '\\' | sed 's/^\.PHONY://'); do
	[ "$target" = all ] && continue
	grep -q "^make $target\( \|$\)" "$T_DIR/help" || missing="$missing $target"
done
echo "$missing" >"$T_OUT"
check "make help lists every target" test -z "$missing"

# --- make deb ----------------------------------------------------------------------------
ARCH=$(dpkg --print-architecture)
DEB=$BUILD/halls_$VERSION-1_$ARCH.deb
rm -f "$DEB"
mk deb
check "make deb builds $(basename "$DEB")" test -f "$DEB"
dpkg-deb -f "$DEB" Package Version Architecture >"$T_OUT"
check "its control names halls $VERSION-1 for $ARCH" \
	test "$(cat "$T_OUT")" = "$(printf 'Package: halls\nVersion: %s-1\nArchitecture: %s' "$VERSION" "$ARCH")"
depends=$(dpkg-deb -f "$DEB" Depends)
echo "$depends" >"$T_OUT"
has_dep() { echo "$depends" | tr ',' '\n' | grep -qE "^ *$1( |\$)"; }
for lib in libc6 libevent-2.1-7 libevent-openssl-2.1-7 libevent-pthreads-2.1-7 liblmdb0 \
	libical3 libssl3 libjansson4 libcurl4 libsystemd0 tzdata adduser; do
	check "it depends on $lib" has_dep "$lib"
done
dpkg-deb -I "$DEB" conffiles >"$T_OUT" 2>&1
check "/etc/default/halls is its one conffile" test "$(cat "$T_OUT")" = /etc/default/halls
dpkg-deb -I "$DEB" >"$T_OUT"
for script in postinst prerm postrm; do
	check "it has a $script" grep -qE "^ .* $script +#!/bin/sh" "$T_OUT"
done
{
	expected .gz
	echo usr/share/doc/halls/copyright
	echo usr/share/doc/halls/changelog.Debian.gz
	echo usr/share/lintian/overrides/halls
} >"$T_DIR/want"
dpkg-deb -c "$DEB" | grep -v '^d' | sed 's|.* \./||' >"$T_DIR/got"
same_lines "dpkg-deb -c: the files of make install, man pages gzipped, and the Debian ones" \
	"$T_DIR/want" "$T_DIR/got"
check "its files belong to root" test -z "$(dpkg-deb -c "$DEB" | grep -v ' root/root ')"
lintian "$DEB" >"$T_OUT" 2>"$T_ERR"
grep '^[EW]: ' "$T_OUT" | sed 's/^/# lintian: /'
check "lintian finds no error" test -z "$(grep '^E: ' "$T_OUT")"

# --- the maintainer scripts -------------------------------------------------------------
# Run under DPKG_ROOT=$ROOT, with PATH holding only recorders for every command that
# would act on the system and the few harmless tools they need.
SCRIPTS=$WORK/scripts
BIN=$WORK/bin
LOG=$WORK/calls
mkdir -p "$SCRIPTS" "$BIN"
dpkg-deb -e "$DEB" "$SCRIPTS"
for cmd in systemd-sysusers systemd-tmpfiles deb-systemd-helper deb-systemd-invoke systemctl \
	adduser getent chown; do
	printf '#!/bin/sh\necho "%s $*" >>"%s"\n' "$cmd" "$LOG" >"$BIN/$cmd"
	chmod +x "$BIN/$cmd"
done
# getent: no halls user yet (exit 2, as getent does).
printf '#!/bin/sh\necho "getent $*" >>"%s"\nexit 2\n' "$LOG" >"$BIN/getent"
for cmd in mkdir chmod rm cat; do ln -s "$(command -v $cmd)" "$BIN/$cmd"; done

# maint SCRIPT ARGS...: runs a maintainer script under $ROOT with the recorders; the
# calls are in $LOG.
maint() {
	script=$1
	shift
	: >"$LOG"
	(PATH=$BIN DPKG_ROOT=$ROOT /bin/sh "$SCRIPTS/$script" "$@") >"$T_OUT" 2>"$T_ERR"
}
# was_called LINE: the recorders heard exactly LINE.
was_called() { grep -qxF -- "$1" "$LOG"; }

rm -rf "$ROOT"
mkdir -p "$ROOT"
check "postinst configure succeeds" maint postinst configure
check "it makes the user with systemd-sysusers" was_called "systemd-sysusers --root=$ROOT halls.conf"
check "and the directory with systemd-tmpfiles" \
	was_called "systemd-tmpfiles --root=$ROOT --create halls.conf"
check "it enables halls.service (deb-systemd-helper)" was_called "deb-systemd-helper enable halls.service"
check "it starts nothing, and under DPKG_ROOT touches no service" \
	test -z "$(grep -E '^(deb-systemd-invoke|systemctl) ' "$LOG")"

rm "$BIN/systemd-sysusers" "$BIN/systemd-tmpfiles"
check "postinst configure succeeds without systemd-sysusers" maint postinst configure
check "it makes the user with adduser then" grep -q '^adduser --system --group --home /var/lib/halls .* halls$' "$LOG"
check "and the directory by hand, owned by halls" was_called "chown halls:halls $ROOT/var/lib/halls"
check "mode 0750" test "$(stat -c %a "$ROOT/var/lib/halls")" = 750

echo "bookings" >"$ROOT/var/lib/halls/data.mdb"
check "prerm remove succeeds" maint prerm remove
check "postrm remove succeeds" maint postrm remove
check "removing keeps the data" test -f "$ROOT/var/lib/halls/data.mdb"
check "and masks the unit" was_called "deb-systemd-helper mask halls.service"
check "postrm purge succeeds" maint postrm purge
check "purging deletes /var/lib/halls" test ! -e "$ROOT/var/lib/halls"
check "and forgets the unit" was_called "deb-systemd-helper purge halls.service"
t_done

#!/bin/sh
# Makes BUILD/halls_VERSION_ARCH.deb from the tree BUILD/deb/debian/halls that `make deb`
# has just installed (make install PREFIX=/usr DESTDIR=...). Run by `make deb`:
#   sh server/dist/deb/build.sh BUILD
# VERSION is HALLS_VERSION (server/core/halls.h) with Debian revision 1, ARCH dpkg's.
# DEB_MAINTAINER replaces the Maintainer; SOURCE_DATE_EPOCH the date of the changelog
# entry and of every file (default: the last commit's), so a rebuild is the same.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
build=$(cd "$1" && pwd)
root=$build/deb/debian/halls
doc=$root/usr/share/doc/halls

upstream=$(sed -n 's/^#define HALLS_VERSION "\(.*\)"$/\1/p' "$top/server/core/halls.h")
if [ -z "$upstream" ]; then
	echo "build.sh: no HALLS_VERSION in server/core/halls.h" >&2
	exit 1
fi
version=$upstream-1
arch=$(dpkg --print-architecture)
maintainer=${DEB_MAINTAINER:-halls maintainers <maintainers@users.noreply.r-seed-09475b7a.example>}
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)
fi
export SOURCE_DATE_EPOCH
date=$(LC_ALL=C date -u -R -d "@$SOURCE_DATE_EPOCH")

# As Debian's own packages are: binaries stripped, manual pages and the changelog
# compressed, the copyright beside the docs.
strip --remove-section=.comment --remove-section=.note --strip-unneeded \
	"$root/usr/bin/halls" "$root/usr/sbin/hallsd"
gzip -9n "$root"/usr/share/man/man5/halls-data.5 "$root"/usr/share/man/man8/halls.8 \
	"$root"/usr/share/man/man8/hallsd.8
install -m 0644 "$here/copyright" "$doc/copyright"
install -d "$root/usr/share/lintian/overrides"
install -m 0644 "$here/lintian-overrides" "$root/usr/share/lintian/overrides/halls"
sed -e "s|@VERSION@|$version|" -e "s|@UPSTREAM@|$upstream|" -e "s|@MAINTAINER@|$maintainer|" \
	-e "s|@DATE@|$date|" "$here/changelog.in" | gzip -9n >"$doc/changelog.Debian.gz"
chmod 0644 "$doc/changelog.Debian.gz"

# Depends: dpkg-shlibdeps finds the packages of the libraries the binaries link. It
# reads debian/control and expects the binaries in debian/PACKAGE/, as in a source
# package (its DEBIAN/ marking the top): so the staging tree is BUILD/deb/debian/halls,
# beside a minimal control.
printf 'Source: halls\n\nPackage: halls\nArchitecture: any\n' >"$build/deb/debian/control"
mkdir -p "$root/DEBIAN"
depends=$(cd "$build/deb" && dpkg-shlibdeps -O -edebian/halls/usr/sbin/hallsd \
	-edebian/halls/usr/bin/halls | sed -n 's/^shlibs:Depends=//p')
if [ -z "$depends" ]; then
	echo "build.sh: dpkg-shlibdeps found no dependencies" >&2
	exit 1
fi
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)

sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@MAINTAINER@|$maintainer|" \
	-e "s|@SIZE@|$size|" -e "s|@DEPENDS@|$depends|" "$here/control.in" >"$root/DEBIAN/control"
install -m 0644 "$here/conffiles" "$root/DEBIAN/conffiles"
install -m 0755 "$here/postinst" "$here/prerm" "$here/postrm" "$root/DEBIAN/"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | LC_ALL=C sort |
	xargs md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"

deb=$build/halls_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"

# packaging/package.cmake: the .deb and the .rpm (CPack), made by
# `cmake --build BUILD --target package` from a build configured with
# -DCMAKE_INSTALL_PREFIX=/usr (README "Packages"). Included last by the
# top-level CMakeLists.txt, once every install rule is known.
set(pkg ${CMAKE_CURRENT_LIST_DIR})

# Both on Debian and Ubuntu; the .rpm alone where there is no dpkg database
# for dpkg-shlibdeps to find the libraries' packages in (Fedora).
set(CPACK_GENERATOR RPM)
if(EXISTS /var/lib/dpkg/status)
	list(PREPEND CPACK_GENERATOR DEB)
endif()
set(CPACK_PACKAGE_NAME rdguard)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "rdguard")
set(CPACK_PACKAGE_CONTACT
	"rdguard maintainers <maintainers@users.noreply.r-seed-2e708472.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "remote-access guard against tech-support scams")
set(CPACK_PACKAGE_DESCRIPTION
	"rdguard holds remote-access tools (AnyDesk, TeamViewer, RustDesk, ...)
before they run when a launch looks like part of a tech-support scam: a
call from an unknown number, a fake virus warning in the browser, a tool
started from the Downloads folder. The person at the desktop gets a
warning; a caregiver or an administrator can let the tool run.")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
set(CPACK_SOURCE_IGNORE_FILES "/build/;/\\\\.git/")

# Checks the build is one for /usr, and finishes the staged files (manual
# pages compressed, the changelog, the list of conffiles).
set(CPACK_RDGUARD_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_RDGUARD_SANITIZE ${RDGUARD_SANITIZE})
set(CPACK_RDGUARD_CHANGELOG ${pkg}/deb/changelog)
set(CPACK_RDGUARD_DOCDIR ${CMAKE_INSTALL_DOCDIR})
set(CPACK_RDGUARD_CONFFILES ${CMAKE_BINARY_DIR}/packaging/deb/conffiles)
set(CPACK_PRE_BUILD_SCRIPTS ${pkg}/stage.cmake)

# Debian: dependencies from the programs' libraries (dpkg-shlibdeps), and
# adduser for the group the maintainer scripts make.
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
	${pkg}/deb/postinst ${pkg}/deb/prerm ${pkg}/deb/postrm
	${CPACK_RDGUARD_CONFFILES})
install(FILES ${pkg}/deb/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${pkg}/deb/rdguard.lintian-overrides
	DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides RENAME rdguard)

# Fedora and RHEL-likes: rpmbuild requires the libraries by soname
# (libevent_core-2.1.so.7, libssl.so.3, libyaml-0.so.2, libjansson.so.4,
# libsystemd.so.0, libnotify.so.4, libgtk-3.so.0, libX11.so.6,
# libcap-ng.so.0, ...), which
# dnf resolves to libevent, openssl-libs, libyaml, jansson, systemd-libs,
# libnotify, gtk3, libX11, libcap-ng; naming those packages as well is what rpmlint
# calls an error (explicit-lib-dependency). shadow-utils has groupadd.
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_RELEASE 1)
set(CPACK_PACKAGE_RELOCATABLE OFF)
set(CPACK_RPM_PACKAGE_LICENSE "Unspecified")
set(CPACK_RPM_PACKAGE_GROUP "System Environment/Daemons")
set(CPACK_RPM_PACKAGE_REQUIRES "shadow-utils")
set(CPACK_RPM_PACKAGE_DESCRIPTION ${CPACK_PACKAGE_DESCRIPTION})
set(CPACK_RPM_SPEC_MORE_DEFINE "%define packager ${CPACK_PACKAGE_CONTACT}")
set(CPACK_RPM_POST_INSTALL_SCRIPT_FILE ${pkg}/rpm/post.sh)
set(CPACK_RPM_PRE_UNINSTALL_SCRIPT_FILE ${pkg}/rpm/preun.sh)
set(CPACK_RPM_POST_UNINSTALL_SCRIPT_FILE ${pkg}/rpm/postun.sh)
# The folders other packages own (filesystem, systemd, polkit, ...).
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
	/etc/xdg /etc/xdg/autostart /etc/chromium /etc/opt /etc/opt/chrome
	/usr/sbin /usr/libexec /usr/lib/systemd /usr/lib/systemd/system
	/usr/lib/systemd/user /usr/lib/mozilla /usr/share/polkit-1
	/usr/share/polkit-1/actions /usr/share/man /usr/share/man/man1
	/usr/share/man/man5 /usr/share/man/man8 /usr/share/locale)
foreach(lang ${RDGUARD_LANGUAGES})
	list(APPEND CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
		/usr/share/locale/${lang} /usr/share/locale/${lang}/LC_MESSAGES)
endforeach()

include(CPack)

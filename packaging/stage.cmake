# packaging/stage.cmake: run by CPack (CPACK_PRE_BUILD_SCRIPTS) on the staged
# files before it makes the .deb or the .rpm: refuses a build that is not
# one for /usr, compresses the manual pages, adds the changelog, and lists
# the files under /etc as the .deb's conffiles.
set(stage ${CPACK_TEMPORARY_DIRECTORY})

if(NOT CPACK_RDGUARD_PREFIX STREQUAL "/usr" OR CPACK_RDGUARD_SANITIZE)
	message(FATAL_ERROR "rdguard packages are made from a build for /usr "
		"without the sanitizers; this one is for ${CPACK_RDGUARD_PREFIX}. "
		"Configure one with:\n  cmake -S . -B build/pkg "
		"-DCMAKE_INSTALL_PREFIX=/usr -DBUILD_TESTING=OFF")
endif()

# Manual pages: gzip -9n, as Debian and Fedora ship them.
file(GLOB_RECURSE pages LIST_DIRECTORIES false ${stage}/usr/share/man/*)
foreach(page ${pages})
	if(NOT page MATCHES "\\.gz$")
		execute_process(COMMAND gzip -9nf ${page} COMMAND_ERROR_IS_FATAL ANY)
	endif()
endforeach()

# The changelog, in the documentation folder.
if(CPACK_GENERATOR STREQUAL "DEB")
	set(doc ${stage}/usr/${CPACK_RDGUARD_DOCDIR})
	file(COPY ${CPACK_RDGUARD_CHANGELOG} DESTINATION ${doc})
	execute_process(COMMAND gzip -9nf ${doc}/changelog
		COMMAND_ERROR_IS_FATAL ANY)
endif()

# The .rpm: no lintian overrides; every file under /etc a %config(noreplace)
# (rpm keeps the administrator's version, and a changed one as .rpmsave).
if(CPACK_GENERATOR STREQUAL "RPM")
	file(REMOVE_RECURSE ${stage}/usr/share/lintian)
	file(GLOB_RECURSE etc LIST_DIRECTORIES false RELATIVE ${stage}
		${stage}/etc/*)
	list(TRANSFORM etc PREPEND "%config(noreplace) /")
	# The translations marked with their language (rpm --excludedocs and
	# %_install_langs leave out the ones not wanted).
	file(GLOB mos RELATIVE ${stage} ${stage}/usr/share/locale/*/LC_MESSAGES/*.mo)
	foreach(mo ${mos})
		string(REGEX MATCH "locale/([^/]+)/" lang ${mo})
		list(APPEND etc "%lang(${CMAKE_MATCH_1}) /${mo}")
	endforeach()
	set(CPACK_RPM_USER_FILELIST ${etc})
	# Files installed to absolute folders outside /etc (the polkit action,
	# Firefox's host manifest) are ordinary files, not %config.
	unset(CPACK_ABSOLUTE_DESTINATION_FILES)
	return()
endif()

# Every file under /etc is a conffile: dpkg keeps the administrator's
# changes on upgrade and removes the files on purge.
file(GLOB_RECURSE etc LIST_DIRECTORIES false RELATIVE ${stage} ${stage}/etc/*)
list(SORT etc)
set(lines "")
foreach(f ${etc})
	string(APPEND lines "/${f}\n")
endforeach()
file(WRITE ${CPACK_RDGUARD_CONFFILES} "${lines}")

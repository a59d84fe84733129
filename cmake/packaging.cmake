# The Debian package (SPEC §15): `tools/package.sh` runs `cpack -G DEB` on a build tree.
# Installs both programs, their man pages (help2man from --help/--version, target man_pages),
# the systemd unit, the default configuration, README, docs and the copyright file; the
# maintainer scripts live in tools/debian/ (data kept on remove, purged on purge).
include(GNUInstallDirs)
# `install` (and CPack's preinstall step) must not build every target (tests, benchmarks):
# tools/package.sh builds what the package holds.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
set(ledger_debian ${PROJECT_SOURCE_DIR}/tools/debian)
set(ledger_doc_dir share/doc/recruit-ledger)
set(ledger_man_dir ${PROJECT_BINARY_DIR}/man)

foreach(program recruit-ledgerd recruit-ledger)
    if(TARGET ${program})
        install(TARGETS ${program} RUNTIME DESTINATION bin)
    endif()
endforeach()

# Man pages from the programs' own --help and --version, so they cannot drift from them.
find_program(HELP2MAN help2man)
if(HELP2MAN AND TARGET recruit-ledgerd AND TARGET recruit-ledger)
    add_custom_command(
        OUTPUT ${ledger_man_dir}/recruit-ledgerd.8.gz ${ledger_man_dir}/recruit-ledger.1.gz
        COMMAND ${CMAKE_COMMAND} -E make_directory ${ledger_man_dir}
        COMMAND ${HELP2MAN} --no-info --section=8 --name=recruitment\ ledger\ HTTP\ server
                --output=${ledger_man_dir}/recruit-ledgerd.8 $<TARGET_FILE:recruit-ledgerd>
        COMMAND ${HELP2MAN} --no-info --section=1 --name=recruitment\ ledger\ command-line\ tool
                --output=${ledger_man_dir}/recruit-ledger.1 $<TARGET_FILE:recruit-ledger>
        COMMAND gzip -9nf ${ledger_man_dir}/recruit-ledgerd.8 ${ledger_man_dir}/recruit-ledger.1
        DEPENDS recruit-ledgerd recruit-ledger
        COMMENT "man pages from --help (help2man)")
    add_custom_target(man_pages DEPENDS ${ledger_man_dir}/recruit-ledgerd.8.gz ${ledger_man_dir}/recruit-ledger.1.gz)
endif()
install(FILES ${ledger_man_dir}/recruit-ledgerd.8.gz DESTINATION share/man/man8 OPTIONAL)
install(FILES ${ledger_man_dir}/recruit-ledger.1.gz DESTINATION share/man/man1 OPTIONAL)

# Debian 12 keeps units in /lib/systemd/system and configuration in /etc.
install(FILES ${ledger_debian}/recruit-ledgerd.service DESTINATION /lib/systemd/system)
install(FILES ${ledger_debian}/recruit-ledgerd.conf DESTINATION /etc/recruit-ledger)

configure_file(${ledger_debian}/changelog.in ${PROJECT_BINARY_DIR}/debian/changelog @ONLY)
add_custom_command(OUTPUT ${PROJECT_BINARY_DIR}/debian/changelog.gz
                   COMMAND gzip -9nkf ${PROJECT_BINARY_DIR}/debian/changelog
                   DEPENDS ${PROJECT_BINARY_DIR}/debian/changelog)
add_custom_target(debian_changelog DEPENDS ${PROJECT_BINARY_DIR}/debian/changelog.gz)
install(FILES ${PROJECT_BINARY_DIR}/debian/changelog.gz DESTINATION ${ledger_doc_dir} OPTIONAL)
install(FILES ${ledger_debian}/copyright ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${ledger_doc_dir})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${ledger_doc_dir} FILES_MATCHING PATTERN "*.md")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME recruit-ledger)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_CONTACT "Recruitment Ledger team <ledger@example.org>")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # recruit-ledger_<version>_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "init-system-helpers (>= 1.54~)")
# CPack indents every line after the first by one space itself.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "append-only event ledger for medical recruitment
Recruitment Ledger records every action of a recruitment campaign (trips,
job fairs, applications, offers, contracts) as immutable events in an
embedded LMDB store with a hash chain, and answers read models (funnels,
hires against target, retention) over an HTTP JSON API.
.
This package holds the server recruit-ledgerd with a hardened systemd unit
and the command-line tool recruit-ledger.")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${ledger_debian}/postinst ${ledger_debian}/prerm ${ledger_debian}/postrm ${ledger_debian}/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)

# Installation rules and the Debian package (cpack -G DEB). Included by the top-level
# CMakeLists.txt.
#
# `cmake --install` puts, under the install prefix:
#   bin/sahara-gateway
#   share/man/man1/sahara-gateway.1.gz          (when help2man was found)
#   lib/systemd/system/sahara-gateway.service
#   share/doc/sahara-gateway/copyright
# and the example configuration as sahara-gateway/sahara-gateway.toml in the configuration
# folder: /etc for the prefix /usr, <prefix>/etc for any other (GNU's rule). The configuration
# and the unit are installed by cmake/install_config.cmake, run at install time, because only
# then is the prefix known (`cmake --install --prefix`, and cpack, which installs with /usr).

install(TARGETS sahara-gateway RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

install(CODE "set(sgw_example_config \"${PROJECT_SOURCE_DIR}/deploy/sahara-gateway.example.toml\")
set(sgw_unit \"${PROJECT_SOURCE_DIR}/deploy/systemd/sahara-gateway.service\")
set(sgw_bindir \"${CMAKE_INSTALL_BINDIR}\")
set(sgw_staging \"${CMAKE_CURRENT_BINARY_DIR}/install-staging\")")
install(SCRIPT ${CMAKE_CURRENT_LIST_DIR}/install_config.cmake)

# The man page, from --help and --version, with the sections of deploy/man/sahara-gateway.h2m
# (SYNOPSIS, ENVIRONMENT, FILES, SIGNALS, EXIT STATUS, SEE ALSO). Not in the sanitizer and fuzz
# builds, which are not installed, nor when cross-compiling, since it runs the binary.
find_program(SGW_HELP2MAN help2man)
find_program(SGW_GZIP gzip)
set(sgw_instrumented OFF)
if(SGW_SANITIZE OR SGW_TSAN OR SGW_FUZZ)
  set(sgw_instrumented ON)
endif()
if(SGW_HELP2MAN AND SGW_GZIP AND NOT CMAKE_CROSSCOMPILING AND NOT sgw_instrumented)
  set(sgw_man ${CMAKE_CURRENT_BINARY_DIR}/man/sahara-gateway.1)
  add_custom_command(
    OUTPUT ${sgw_man} ${sgw_man}.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/man
    COMMAND ${SGW_HELP2MAN} --no-info --section=1
            "--name=OpenStack Sahara job-execution API on top of MapReduce Service (MRS)"
            --include=${PROJECT_SOURCE_DIR}/deploy/man/sahara-gateway.h2m
            --output=${sgw_man} $<TARGET_FILE:sahara-gateway>
    # -n: no name or time stamp in the archive, so that the same page gives the same bytes.
    COMMAND ${SGW_GZIP} -9nkf ${sgw_man}
    DEPENDS sahara-gateway ${PROJECT_SOURCE_DIR}/deploy/man/sahara-gateway.h2m
    COMMENT "Generating the man page sahara-gateway.1 with help2man"
    VERBATIM)
  add_custom_target(sahara-gateway-man ALL DEPENDS ${sgw_man}.gz)
  install(FILES ${sgw_man}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
elseif(NOT sgw_instrumented)
  message(STATUS "help2man or gzip not found: the man page is neither built nor installed")
endif()

# The package's license, maintainer and copyright holder: the repository states none, so the
# defaults only mark the fields; set them when building a package for distribution.
set(SGW_PACKAGE_MAINTAINER "sahara-gateway maintainers <sahara-gateway@example.invalid>"
    CACHE STRING "Maintainer field of the Debian package")
set(SGW_PACKAGE_LICENSE "UNLICENSED" CACHE STRING
    "License named in the Debian package's copyright file (a DEP-5 short name)")
set(SGW_PACKAGE_COPYRIGHT "the sahara-gateway authors" CACHE STRING
    "Copyright holder named in the Debian package's copyright file")
file(CONFIGURE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/debian/copyright @ONLY CONTENT
"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: sahara-gateway
Upstream-Contact: @SGW_PACKAGE_MAINTAINER@

Files: *
Copyright: @SGW_PACKAGE_COPYRIGHT@
License: @SGW_PACKAGE_LICENSE@
")
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/debian/copyright
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/sahara-gateway)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sahara-gateway)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${SGW_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "OpenStack Sahara job-execution API on top of MapReduce Service (MRS)")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
       "sahara-gateway lets OpenStack Sahara clients (python-saharaclient, the\n"
       "openstack dataprocessing commands, scripts) drive jobs on Huawei Cloud and\n"
       "Open Telekom Cloud MapReduce Service. It accepts Sahara's v1.1 and v2\n"
       "job-execution calls, translates each into MRS REST calls, and answers as\n"
       "Sahara would.")
# Installed with the prefix /usr into a staging folder (DESTDIR), so that install_config.cmake
# sees /usr and puts the configuration under /etc.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${SGW_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The libraries' packages come from dpkg-shlibdeps (dpkg-dev); the CA store verifies MRS.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "ca-certificates")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/deploy/debian/conffiles
    ${PROJECT_SOURCE_DIR}/deploy/debian/postinst
    ${PROJECT_SOURCE_DIR}/deploy/debian/prerm
    ${PROJECT_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)

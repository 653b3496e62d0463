# Run by `cmake --install` and cpack (see cmake/packaging.cmake): installs the example
# configuration and the systemd unit for the prefix being installed to. The unit in the
# repository names /usr/bin/sahara-gateway and /etc/sahara-gateway/; the installed one names
# the folders this installation uses.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(sgw_etc /etc)
else()
  set(sgw_etc "${CMAKE_INSTALL_PREFIX}/etc")
endif()
if(IS_ABSOLUTE "${sgw_bindir}")
  set(sgw_bin "${sgw_bindir}")
else()
  set(sgw_bin "${CMAKE_INSTALL_PREFIX}/${sgw_bindir}")
endif()

file(INSTALL "${sgw_example_config}" DESTINATION "${sgw_etc}/sahara-gateway" RENAME sahara-gateway.toml)

file(READ "${sgw_unit}" sgw_unit_text)
string(REPLACE "/usr/bin/sahara-gateway" "${sgw_bin}/sahara-gateway" sgw_unit_text "${sgw_unit_text}")
string(REPLACE "/etc/sahara-gateway/" "${sgw_etc}/sahara-gateway/" sgw_unit_text "${sgw_unit_text}")
file(WRITE "${sgw_staging}/sahara-gateway.service" "${sgw_unit_text}")
file(INSTALL "${sgw_staging}/sahara-gateway.service" DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")

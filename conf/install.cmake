# conf/install.cmake - the installed files that name installed paths:
# peil.ini, the systemd units, the sysusers.d and tmpfiles.d files and the
# cron example.  Included by install(CODE) from CMakeLists.txt, so it runs
# when installing: the paths follow the prefix given to
# "cmake --install --prefix DIR" (or CPack's), not the configured one.
#
# From CMakeLists.txt: PEIL_SOURCE_DIR, PEIL_BINARY_DIR, the relative
# GNUInstallDirs (PEIL_BINDIR, PEIL_DATADIR, PEIL_SYSCONFDIR,
# PEIL_LOCALSTATEDIR), PEIL_STATE_DIR and PEIL_SYSTEMD_UNIT_DIR (empty:
# follow the prefix) and PEIL_SYSTEMD_USR_UNIT_DIR (pkg-config systemd's).

set(prefix "${CMAKE_INSTALL_PREFIX}")

# GNUInstallDirs' rule for the install-time prefix: etc and var are /etc
# and /var for the prefixes / and /usr (host/base/self_path.c finds the
# config by the same rule), other dirs and prefixes are PREFIX/DIR.
function(peil_full_dir out dir)
  if(IS_ABSOLUTE "${dir}")
    set(full "${dir}")
  elseif((prefix STREQUAL "/" OR prefix STREQUAL "/usr") AND
         (dir STREQUAL "etc" OR dir STREQUAL "var"))
    set(full "/${dir}")
  else()
    set(full "${prefix}/${dir}")
  endif()
  set(${out} "${full}" PARENT_SCOPE)
endfunction()

peil_full_dir(CMAKE_INSTALL_FULL_BINDIR "${PEIL_BINDIR}")
peil_full_dir(CMAKE_INSTALL_FULL_SYSCONFDIR "${PEIL_SYSCONFDIR}")
peil_full_dir(datadir "${PEIL_DATADIR}")
peil_full_dir(localstatedir "${PEIL_LOCALSTATEDIR}")
if(NOT PEIL_STATE_DIR)
  set(PEIL_STATE_DIR "${localstatedir}/lib/peil")
endif()
if(PEIL_SYSTEMD_UNIT_DIR)
  set(unitdir "${PEIL_SYSTEMD_UNIT_DIR}")
elseif(prefix STREQUAL "/usr" AND PEIL_SYSTEMD_USR_UNIT_DIR)
  set(unitdir "${PEIL_SYSTEMD_USR_UNIT_DIR}")
else()
  set(unitdir "${prefix}/lib/systemd/system")
endif()

# Generated into a directory of this install's own, so that two installs
# from one build tree (a test beside an operator) do not share files.
string(RANDOM LENGTH 8 tag)
set(gen "${PEIL_BINARY_DIR}/install-${tag}")
file(MAKE_DIRECTORY "${gen}")

# peil.ini: conf/peil.ini with the installed scripts, and the store,
# rejects and exports under the state directory.
file(READ "${PEIL_SOURCE_DIR}/conf/peil.ini" ini)
string(REPLACE "../scripts" "${datadir}/peil/scripts" ini "${ini}")
string(REPLACE "../var/demo/" "${PEIL_STATE_DIR}/exports/" ini "${ini}")
string(REPLACE "../var/" "${PEIL_STATE_DIR}/" ini "${ini}")
file(WRITE "${gen}/peil.ini" "${ini}")

configure_file("${PEIL_SOURCE_DIR}/conf/systemd/peil.service.in"
  "${gen}/peil.service" @ONLY)
configure_file("${PEIL_SOURCE_DIR}/conf/systemd/peil-sysusers.conf.in"
  "${gen}/sysusers/peil.conf" @ONLY)
configure_file("${PEIL_SOURCE_DIR}/conf/systemd/peil-tmpfiles.conf.in"
  "${gen}/tmpfiles/peil.conf" @ONLY)
configure_file("${PEIL_SOURCE_DIR}/conf/cron/peil.in" "${gen}/cron/peil"
  @ONLY)

file(INSTALL DESTINATION "${CMAKE_INSTALL_FULL_SYSCONFDIR}/peil" TYPE FILE
  FILES "${gen}/peil.ini")
file(INSTALL DESTINATION "${unitdir}" TYPE FILE
  FILES "${gen}/peil.service" "${PEIL_SOURCE_DIR}/conf/systemd/peil.timer")
file(INSTALL DESTINATION "${prefix}/lib/sysusers.d" TYPE FILE
  FILES "${gen}/sysusers/peil.conf")
file(INSTALL DESTINATION "${prefix}/lib/tmpfiles.d" TYPE FILE
  FILES "${gen}/tmpfiles/peil.conf")
file(INSTALL DESTINATION "${datadir}/doc/peil/examples/cron.d" TYPE FILE
  FILES "${gen}/cron/peil")
# The state directory itself, so that an installed tree runs at once; on
# a system, tmpfiles.d gives it to the peil user.
file(MAKE_DIRECTORY "$ENV{DESTDIR}${PEIL_STATE_DIR}/exports")
file(REMOVE_RECURSE "${gen}")

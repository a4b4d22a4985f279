# Defines the imported target xgrad::libzip: <zip.h> and libzip (.npz archives).
#
# Why not find_package(libzip): Debian 12's libzip-dev ships a CMake config whose targets
# file checks for /usr/bin/zipcmp, zipmerge and ziptool (packages zipcmp, zipmerge,
# ziptool) and stops with a FATAL_ERROR when they are missing, which cannot be made QUIET.
# So: pkg-config's libzip.pc for hints (if pkg-config is there), then find_path/find_library.
#
# Installed next to xgradConfig.cmake, so a find_package(xgrad) user repeats the search on
# their own machine: no absolute path is baked into the package.
#
# Results: target xgrad::libzip, XGRAD_LIBZIP_FOUND, XGRAD_LIBZIP_NOT_FOUND_MESSAGE.

set(XGRAD_LIBZIP_FOUND FALSE)
set(XGRAD_LIBZIP_NOT_FOUND_MESSAGE "")
if(TARGET xgrad::libzip)
  set(XGRAD_LIBZIP_FOUND TRUE)
  return()
endif()

find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(XGRAD_PC_LIBZIP QUIET libzip)
endif()

find_path(XGRAD_LIBZIP_INCLUDE_DIR
  NAMES zip.h
  HINTS ${XGRAD_PC_LIBZIP_INCLUDE_DIRS}
  DOC "Directory holding libzip's zip.h")
find_library(XGRAD_LIBZIP_LIBRARY
  NAMES zip
  HINTS ${XGRAD_PC_LIBZIP_LIBRARY_DIRS}
  DOC "The libzip library")

if(NOT XGRAD_LIBZIP_INCLUDE_DIR OR NOT XGRAD_LIBZIP_LIBRARY)
  set(XGRAD_LIBZIP_NOT_FOUND_MESSAGE
    "libzip not found (zip.h: '${XGRAD_LIBZIP_INCLUDE_DIR}', library: '${XGRAD_LIBZIP_LIBRARY}'). "
    "On Debian/Ubuntu install libzip-dev (scripts/setup.sh does).")
  return()
endif()

add_library(xgrad::libzip INTERFACE IMPORTED)
set_target_properties(xgrad::libzip PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES "${XGRAD_LIBZIP_INCLUDE_DIR}"
  INTERFACE_LINK_LIBRARIES "${XGRAD_LIBZIP_LIBRARY}")
set(XGRAD_LIBZIP_FOUND TRUE)

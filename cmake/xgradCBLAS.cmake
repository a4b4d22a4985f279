# Defines the imported target xgrad::cblas: the <cblas.h> header and the OpenBLAS library.
#
# Why our own lookup: the library calls cblas_sgemm/cblas_dgemm directly (from one .cpp).
# xtensor-blas's config links whatever FindBLAS picks (on Debian: libblas.so, an
# alternatives link that may point at OpenBLAS or at the reference BLAS) and provides no
# header, so we pin both the header and the library to OpenBLAS:
#   1. Debian's libopenblas*-dev ships OpenBLASConfig.cmake, which sets only the variables
#      OpenBLAS_INCLUDE_DIRS and OpenBLAS_LIBRARIES (no target): used as hints;
#   2. then find_path(cblas.h) and find_library(openblas) on the usual paths.
# A small try-compile checks that cblas_sgemm/cblas_dgemm really link.
#
# This file is installed next to xgradConfig.cmake, so a find_package(xgrad) user repeats
# the search on their own machine: no absolute path is baked into the package.
#
# Results: target xgrad::cblas, XGRAD_CBLAS_FOUND, XGRAD_CBLAS_NOT_FOUND_MESSAGE.

set(XGRAD_CBLAS_FOUND FALSE)
set(XGRAD_CBLAS_NOT_FOUND_MESSAGE "")
if(TARGET xgrad::cblas)
  set(XGRAD_CBLAS_FOUND TRUE)
  return()
endif()

find_package(OpenBLAS CONFIG QUIET)
set(_xgrad_cblas_lib_hints "")
foreach(_xgrad_lib IN LISTS OpenBLAS_LIBRARIES)
  get_filename_component(_xgrad_dir "${_xgrad_lib}" DIRECTORY)
  list(APPEND _xgrad_cblas_lib_hints "${_xgrad_dir}")
endforeach()

find_path(XGRAD_CBLAS_INCLUDE_DIR
  NAMES cblas.h
  HINTS ${OpenBLAS_INCLUDE_DIRS}
  PATH_SUFFIXES openblas
  DOC "Directory holding OpenBLAS's cblas.h")
find_library(XGRAD_CBLAS_LIBRARY
  NAMES openblas openblasp openblaso
  HINTS ${_xgrad_cblas_lib_hints}
  DOC "The OpenBLAS library")
unset(_xgrad_cblas_lib_hints)
unset(_xgrad_lib)
unset(_xgrad_dir)

if(NOT XGRAD_CBLAS_INCLUDE_DIR OR NOT XGRAD_CBLAS_LIBRARY)
  set(XGRAD_CBLAS_NOT_FOUND_MESSAGE
    "OpenBLAS not found (cblas.h: '${XGRAD_CBLAS_INCLUDE_DIR}', library: '${XGRAD_CBLAS_LIBRARY}'). "
    "On Debian/Ubuntu install libopenblas-dev (scripts/setup.sh does).")
  return()
endif()

if(NOT DEFINED XGRAD_CBLAS_LINKS)
  include(CheckCXXSourceCompiles)
  include(CMakePushCheckState)
  cmake_push_check_state(RESET)
  set(CMAKE_REQUIRED_QUIET ON)
  set(CMAKE_REQUIRED_INCLUDES "${XGRAD_CBLAS_INCLUDE_DIR}")
  set(CMAKE_REQUIRED_LIBRARIES "${XGRAD_CBLAS_LIBRARY}")
  check_cxx_source_compiles([[
#include <cblas.h>
int main() {
  float fa = 1, fb = 2, fc = 0;
  double da = 1, db = 2, dc = 0;
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 1, 1, 1, 1.0f, &fa, 1, &fb, 1, 0.0f, &fc, 1);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 1, 1, 1, 1.0, &da, 1, &db, 1, 0.0, &dc, 1);
  return fc == 2.0f && dc == 2.0 ? 0 : 1;
}
]] XGRAD_CBLAS_LINKS)
  cmake_pop_check_state()
endif()
if(NOT XGRAD_CBLAS_LINKS)
  set(XGRAD_CBLAS_NOT_FOUND_MESSAGE
    "cblas_sgemm/cblas_dgemm do not link with ${XGRAD_CBLAS_LIBRARY} "
    "(header from ${XGRAD_CBLAS_INCLUDE_DIR}); see CMakeFiles/CMakeError.log.")
  return()
endif()

add_library(xgrad::cblas INTERFACE IMPORTED)
set_target_properties(xgrad::cblas PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES "${XGRAD_CBLAS_INCLUDE_DIR}"
  INTERFACE_LINK_LIBRARIES "${XGRAD_CBLAS_LIBRARY}")
set(XGRAD_CBLAS_FOUND TRUE)
if(NOT XGRAD_CBLAS_FIND_QUIETLY)
  message(STATUS "xgrad: CBLAS from ${XGRAD_CBLAS_LIBRARY} (cblas.h in ${XGRAD_CBLAS_INCLUDE_DIR})")
endif()

# xgrad_enable_sanitizers(<target>)
#
# Adds -fsanitize=<XGRAD_SANITIZE> -fno-omit-frame-pointer to one of our targets, at
# compile and link time. XGRAD_SANITIZE is a list such as "address;undefined" (commas
# are accepted too); empty means no sanitizer.
#
# On a library the flags are PUBLIC: every executable that links it is then instrumented
# the same way and links the sanitizer runtimes, which a static library cannot carry itself.
#
# UBSan stays recoverable on purpose (no -fno-sanitize-recover): run with
# UBSAN_OPTIONS=halt_on_error=1 to make a report fatal, which keeps UBSan suppressions
# (cmake/ubsan.supp) usable.
#
# XGRAD_BUILD_FUZZERS builds the libFuzzer targets of tests/fuzz (RELIABILITY.md S5). It needs
# clang (libFuzzer is part of clang's compiler-rt, Debian package libclang-rt-14-dev) and the
# tests (XGRAD_BUILD_TESTS). The library is then compiled with -fsanitize=fuzzer-no-link (the
# coverage instrumentation that guides the fuzzer, without libFuzzer's main()); only the fuzz
# executables link -fsanitize=fuzzer. Use it with XGRAD_SANITIZE="address;undefined" (the
# fuzz preset).
include_guard(GLOBAL)

option(XGRAD_BUILD_FUZZERS "Build the libFuzzer targets in tests/fuzz (needs clang)" OFF)
if(XGRAD_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR
      "xgrad: XGRAD_BUILD_FUZZERS needs clang (libFuzzer), but the C++ compiler is "
      "${CMAKE_CXX_COMPILER_ID} (${CMAKE_CXX_COMPILER}). Configure with the fuzz preset "
      "(cmake --preset fuzz) or -DCMAKE_CXX_COMPILER=clang++-14; on Debian 12 install "
      "clang-14 and libclang-rt-14-dev (scripts/setup.sh --fuzz).")
  endif()
  if(NOT XGRAD_BUILD_TESTS)
    message(FATAL_ERROR "xgrad: XGRAD_BUILD_FUZZERS needs XGRAD_BUILD_TESTS=ON "
                        "(the fuzz targets live in tests/fuzz)")
  endif()
endif()

function(xgrad_enable_sanitizers target)
  get_target_property(_type ${target} TYPE)
  if(XGRAD_BUILD_FUZZERS AND _type MATCHES "^(STATIC|SHARED|OBJECT)_LIBRARY$")
    # Coverage for the fuzzer inside the library's own code only (PRIVATE): executables that
    # do not link libFuzzer get the callbacks' default definitions from the sanitizer runtime.
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
  endif()
  if(NOT XGRAD_SANITIZE)
    return()
  endif()
  string(REPLACE "," ";" _sanitizers "${XGRAD_SANITIZE}")
  list(JOIN _sanitizers "," _sanitizers)
  if(_type STREQUAL "INTERFACE_LIBRARY")
    set(_scope INTERFACE)
  elseif(_type MATCHES "LIBRARY$")
    set(_scope PUBLIC)
  else()
    set(_scope PRIVATE)
  endif()
  target_compile_options(${target} ${_scope} -fsanitize=${_sanitizers} -fno-omit-frame-pointer)
  target_link_options(${target} ${_scope} -fsanitize=${_sanitizers})
endfunction()

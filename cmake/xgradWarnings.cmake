# xgrad_set_warnings(<target>)
#
# Applies xgrad's warning flags to one of our own targets (PRIVATE: they never leak to
# users). With XGRAD_WERROR, warnings become errors. Third-party headers come in through
# imported targets, whose include directories are SYSTEM, so their front-end warnings stay
# silent.
#
# GCC (12 here) is the exception to that last point: its flow-sensitive warnings run after
# inlining, and are reported inside system headers when our code instantiates them. Seen
# with xtensor 0.24.3 / xsimd 8.1.0 / libstdc++ 12 on code that is correct:
#   -Wmaybe-uninitialized  xsimd's AVX-512 intrinsics (xt::log/xt::pow on doubles, -O3
#                          -march=native) and std::regex's std::function (CLI11, -O1 ASan);
#   -Wnonnull              std::equal on the empty shape of a broadcast scalar (xbroadcast);
#   -Wuninitialized        `__m512i __Y = __Y;` in GCC's own avx512fintrin.h, reached from
#                          xsimd's exp/log on doubles with -march=native (AVX-512): GCC bug
#                          105593, fixed in GCC 12.3 (Debian 12 has 12.2).
# So with GCC: -Wmaybe-uninitialized is off (clang has no such false positives); with
# XGRAD_NATIVE on a GCC before 12.3, -Wuninitialized is off too (the debug and asan presets,
# built without -march=native, keep it as an error); the other middle-end warnings of that
# family are still printed but are not errors.
include_guard(GLOBAL)

function(xgrad_set_warnings target)
  if(MSVC)
    target_compile_options(${target} PRIVATE /W4 /permissive-)
    if(XGRAD_WERROR)
      target_compile_options(${target} PRIVATE /WX)
    endif()
    return()
  endif()
  target_compile_options(${target} PRIVATE
    -Wall
    -Wextra
    -Wpedantic
    -Wshadow
    -Wnon-virtual-dtor
    -Wold-style-cast)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
    if(XGRAD_NATIVE AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 12.3)
      target_compile_options(${target} PRIVATE -Wno-uninitialized)
    endif()
    set(_demoted nonnull array-bounds stringop-overflow)
    if(CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 11)
      list(APPEND _demoted stringop-overread)
    endif()
    if(CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12)
      list(APPEND _demoted dangling-pointer use-after-free)
    endif()
    list(TRANSFORM _demoted PREPEND "-Wno-error=")
    target_compile_options(${target} PRIVATE ${_demoted})
  endif()
  if(XGRAD_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

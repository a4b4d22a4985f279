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
include_guard(GLOBAL)

function(xgrad_enable_sanitizers target)
  if(NOT XGRAD_SANITIZE)
    return()
  endif()
  string(REPLACE "," ";" _sanitizers "${XGRAD_SANITIZE}")
  list(JOIN _sanitizers "," _sanitizers)
  get_target_property(_type ${target} TYPE)
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

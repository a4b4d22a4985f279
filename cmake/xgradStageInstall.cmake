# cmake -D BUILD_DIR=<build> -D STAGE_DIR=<prefix> [-D CONFIG=<cfg>] -P xgradStageInstall.cmake
#
# Installs an xgrad build tree into a freshly emptied staging prefix (used by the
# package_install test, so that headers deleted from the source tree do not linger).
foreach(var BUILD_DIR STAGE_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "xgradStageInstall: ${var} is not set")
  endif()
endforeach()

file(REMOVE_RECURSE "${STAGE_DIR}")
set(_config_args "")
if(CONFIG)
  set(_config_args --config "${CONFIG}")
endif()
execute_process(
  COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${STAGE_DIR}" ${_config_args}
  RESULT_VARIABLE _result)
if(NOT _result EQUAL 0)
  message(FATAL_ERROR "xgradStageInstall: cmake --install failed (${_result})")
endif()

# Runs examples/tutorial and examples/tutorial_nn with the same arguments and fails unless both
# print the same "predictions" line. That line holds every digit (%.17g), so equal lines are the
# same doubles: the README's claim that tutorial_nn gives the same predictions as tutorial.
#
#   cmake -D TUTORIAL=<exe> -D TUTORIAL_NN=<exe> [-D "ARGS=--seed 11"] -P compare_predictions.cmake
foreach(var TUTORIAL TUTORIAL_NN)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "compare_predictions.cmake: pass -D ${var}=<executable>")
  endif()
endforeach()
set(shown "${ARGS}")
separate_arguments(ARGS UNIX_COMMAND "${ARGS}")

function(predictions exe out)
  execute_process(COMMAND "${exe}" ${ARGS} --print-every 0
    OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${exe} ${shown} exited with ${status}:\n${stdout}${stderr}")
  endif()
  string(REGEX MATCH "\npredictions [^\n]*" line "${stdout}")
  if(NOT line)
    message(FATAL_ERROR "${exe} ${shown} printed no predictions line:\n${stdout}")
  endif()
  string(STRIP "${line}" line)
  set(${out} "${line}" PARENT_SCOPE)
endfunction()

predictions("${TUTORIAL}" from_tutorial)
predictions("${TUTORIAL_NN}" from_nn)
if(NOT from_tutorial STREQUAL from_nn)
  message(FATAL_ERROR "tutorial and tutorial_nn (arguments: ${shown}) disagree:\n"
                      "  tutorial:    ${from_tutorial}\n  tutorial_nn: ${from_nn}")
endif()
message(STATUS "tutorial and tutorial_nn (arguments: ${shown}): ${from_tutorial}")

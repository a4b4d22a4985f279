# Fails unless the C++ block of README.md that follows "(This is `examples/quickstart.cpp`" is
# examples/quickstart.cpp without its leading comment lines, character for character.
#
#   cmake -D README=<README.md> -D SOURCE=<quickstart.cpp> -P readme_snippet.cmake
foreach(var README SOURCE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "readme_snippet.cmake: pass -D ${var}=<file>")
  endif()
endforeach()

file(READ "${README}" readme)
string(FIND "${readme}" "(This is `examples/quickstart.cpp`" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${README}: no \"(This is `examples/quickstart.cpp`\" line")
endif()
string(SUBSTRING "${readme}" ${at} -1 readme)
string(FIND "${readme}" "```cpp\n" begin)
if(begin EQUAL -1)
  message(FATAL_ERROR "${README}: no ```cpp block after the quickstart line")
endif()
math(EXPR begin "${begin} + 7")
string(SUBSTRING "${readme}" ${begin} -1 readme)
string(FIND "${readme}" "```" end)
string(SUBSTRING "${readme}" 0 ${end} snippet)

file(READ "${SOURCE}" source)
string(REGEX REPLACE "^(//[^\n]*\n)+" "" source "${source}")
if(NOT snippet STREQUAL source)
  file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/readme_snippet.txt" "${snippet}")
  file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/quickstart_body.txt" "${source}")
  message(FATAL_ERROR "the README's snippet differs from ${SOURCE}; compare "
                      "${CMAKE_CURRENT_BINARY_DIR}/readme_snippet.txt and quickstart_body.txt")
endif()
message(STATUS "README.md shows ${SOURCE} verbatim")

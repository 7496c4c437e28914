# libFuzzer target for the capability loader (issue #2); included from fuzz/CMakeLists.txt.
file(GLOB CAPSTAN_SPEC_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/spec/*.cpp)
add_executable(fuzz_spec_loader ${CMAKE_CURRENT_LIST_DIR}/spec_loader_fuzzer.cpp
  ${CAPSTAN_SPEC_SOURCES} ${PROJECT_SOURCE_DIR}/src/support/json_text.cpp)
target_include_directories(fuzz_spec_loader PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_options(fuzz_spec_loader PRIVATE ${CAPSTAN_FUZZ_FLAGS})
target_link_options(fuzz_spec_loader PRIVATE ${CAPSTAN_FUZZ_FLAGS})
target_link_libraries(fuzz_spec_loader PRIVATE yaml-cpp Boost::json capstan_warnings)

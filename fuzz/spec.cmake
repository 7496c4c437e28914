# libFuzzer target for the capability loader (issue #2); included from fuzz/CMakeLists.txt.
file(GLOB CAPSTAN_SPEC_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/spec/*.cpp)
add_executable(fuzz_spec_loader ${CMAKE_CURRENT_LIST_DIR}/spec_loader_fuzzer.cpp
  ${CAPSTAN_SPEC_SOURCES})
target_include_directories(fuzz_spec_loader PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_options(fuzz_spec_loader PRIVATE ${CAPSTAN_FUZZ_FLAGS})
target_link_options(fuzz_spec_loader PRIVATE ${CAPSTAN_FUZZ_FLAGS})
target_link_libraries(fuzz_spec_loader PRIVATE yaml-cpp capstan_warnings)

# A short run in the test command: seeds from the golden files, new inputs kept in the build tree.
if(CAPSTAN_BUILD_TESTS)
  file(MAKE_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/spec_loader_corpus)
  add_test(NAME fuzz_spec_loader_smoke
    COMMAND fuzz_spec_loader -max_total_time=20 -max_len=4096 -timeout=10 -rss_limit_mb=2048
            -artifact_prefix=${CMAKE_CURRENT_BINARY_DIR}/
            ${CMAKE_CURRENT_BINARY_DIR}/spec_loader_corpus ${PROJECT_SOURCE_DIR}/tests/unit/spec/data)
  set_tests_properties(fuzz_spec_loader_smoke PROPERTIES LABELS fuzz TIMEOUT 120)
endif()
